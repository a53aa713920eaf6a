package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.StructuredTaskScope;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code StructuredTaskScope} (a preview API in JDK 25) with the agent: every fork runs in a copy
 * of the context current at {@code fork}, on the scope's own (virtual) thread.
 */
@ExtendWith(ContextLeakGuard.class)
class StructuredTaskScopeAgentPreviewTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    @Test
    @DisplayName("P3: every StructuredTaskScope fork runs in a copy of the forking context")
    void fork_callableAndRunnable_forkingContext() throws Exception {
        try (Token<String> t = REQUEST.set("scope");
                var scope = StructuredTaskScope.open()) {
            var callable = scope.fork(() -> {
                REQUEST.set("set-in-fork");
                return REQUEST.get();
            });
            var seen = new String[1];
            var runnable = scope.fork(() -> {
                seen[0] = REQUEST.get();
            });
            scope.join();
            assertThat(callable.get()).isEqualTo("set-in-fork");
            assertThat(runnable.state()).isEqualTo(StructuredTaskScope.Subtask.State.SUCCESS);
            assertThat(seen[0]).isEqualTo("scope");
            assertThat(REQUEST.get()).isEqualTo("scope");
        }
    }
}
