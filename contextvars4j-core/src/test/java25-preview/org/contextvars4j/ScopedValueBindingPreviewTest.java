package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 26: the forks of a StructuredTaskScope opened inside {@code Context.run} inherit its
 * {@code ScopedValue} binding (JDK 25 preview API: compiled with --enable-preview, run in the
 * preview execution). A fork must not read, let alone write, the parent's context through it
 * (S7): it sees its own context, empty (P1) or a copy from a wrapped factory (P3).
 */
@ExtendWith(ContextLeakGuard.class)
@DisplayName("issue 26: StructuredTaskScope forks and the binding of the parent's run")
class ScopedValueBindingPreviewTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    @Test
    @DisplayName("P1/S7: an unwrapped fork inside run starts empty, and its set does not reach the parent's context")
    void unwrappedFork_insideRun_startsEmpty_writesStayInFork_P1_S7() {
        Context request = new Context().with(REQ, "parent");
        String seen = request.supply(() -> {
            try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAllSuccessfulOrThrow())) {
                Subtask<String> sub = scope.fork(() -> {
                    String before = REQ.orElse("none");
                    String during;
                    try (Token<String> t = REQ.set("fork")) {
                        during = REQ.get() + "/" + request.get(REQ) + "/" + (Storage.currentOrNull() != request);
                    }
                    ContextLeakGuard.assertThreadClean("fork");
                    return before + "/" + during;
                });
                scope.join();
                assertThat(REQ.get()).isEqualTo("parent");
                return sub.get();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(seen).isEqualTo("none/fork/parent/true");
        assertThat(request.get(REQ)).isEqualTo("parent");
    }

    @Test
    @DisplayName("P3/S7: a fork from a wrapped factory inside run reads its own copy, and its sets stay there")
    void wrappedFork_insideRun_readsCopy_P3_S7() throws Exception {
        Context request = new Context().with(REQ, "parent");
        String seen = request.call(() -> {
            try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAllSuccessfulOrThrow(),
                    cf -> cf.withThreadFactory(ContextThreads.wrap(Thread.ofVirtual().factory())))) {
                Subtask<String> sub = scope.fork(() -> {
                    String before = REQ.get();
                    REQ.set("fork");
                    return before + "/" + REQ.get();
                });
                scope.join();
                return sub.get() + "/" + REQ.get();
            }
        });
        assertThat(seen).isEqualTo("parent/fork/parent");
        assertThat(request.get(REQ)).isEqualTo("parent");
    }
}
