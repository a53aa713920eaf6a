package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README quickstart, compiled and run: keep the two identical. */
@ExtendWith(ContextLeakGuard.class)
class QuickstartTest {

    // --8<-- [start:quickstart]
    static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id", "none");

    static String describe() {                       // no parameters: reads the current context
        return "handling " + REQUEST_ID.get();
    }

    @Test
    void quickstart_readmeExample_works() throws Exception {
        assertThat(describe()).isEqualTo("handling none");

        try (Token<String> token = REQUEST_ID.set("r-42")) {          // with var.set(...):
            assertThat(describe()).isEqualTo("handling r-42");

            Context snapshot = Context.copyCurrent();                    // copy_context(), O(1)
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<String> seen = pool.submit(() -> snapshot.call(QuickstartTest::describe));
                assertThat(seen.get()).isEqualTo("handling r-42");       // the copy went along

                Future<String> plain = pool.submit(QuickstartTest::describe);
                assertThat(plain.get()).isEqualTo("handling none");      // nothing leaked
            } finally {
                pool.shutdown();
            }
        }
        assertThat(describe()).isEqualTo("handling none");               // restored on close
    }
    // --8<-- [end:quickstart]
}
