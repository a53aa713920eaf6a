package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs the runnable main example of docs/getting-started.md (P2) and checks what it prints. */
@ExtendWith(ContextLeakGuard.class)
class HelloContextVarsTest {

    @Test
    void main_readmeExample_printsEachRequestsId_P2() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            HelloContextVars.main(new String[0]);
        } finally {
            System.setOut(out);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8).lines())
                .containsExactly("worker handled r-1", "worker handled r-2", "main sees none");
    }
}
