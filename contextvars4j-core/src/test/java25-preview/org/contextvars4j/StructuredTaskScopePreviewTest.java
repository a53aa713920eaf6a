package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * P3 with StructuredTaskScope (JDK 25 preview API; compiled with --enable-preview and run in its
 * own surefire execution by the jdk25-preview-tests profile): a wrapped virtual-thread factory
 * captures at fork, so each subtask starts from its parent's context at that moment.
 */
@ExtendWith(ContextLeakGuard.class)
class StructuredTaskScopePreviewTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    @Test
    void fork_subtaskSeesOwnerContextAtFork_ownerUnaffected_P3() throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAllSuccessfulOrThrow(),
                cf -> cf.withThreadFactory(ContextThreads.wrap(Thread.ofVirtual().factory())))) {
            Subtask<String> first;
            Subtask<String> second;
            try (Token<String> t = REQ.set("at-first-fork")) {
                first = scope.fork(() -> {
                    String v = REQ.get();
                    REQ.set("changed-in-subtask");
                    return v;
                });
            }
            try (Token<String> t = REQ.set("at-second-fork")) {
                second = scope.fork(() -> REQ.get());
                scope.join();
                assertThat(REQ.get()).isEqualTo("at-second-fork");
            }
            assertThat(first.get()).isEqualTo("at-first-fork");
            assertThat(second.get()).isEqualTo("at-second-fork");
        }
    }

    @Test
    void unwrappedFactory_subtaskStartsEmpty_P1() throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAllSuccessfulOrThrow());
                Token<String> t = REQ.set("owner")) {
            Subtask<String> sub = scope.fork(() -> REQ.orElse("none"));
            scope.join();
            assertThat(sub.get()).isEqualTo("none");
        }
    }
}
