package org.contextvars4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.contextvars4j.Context;
import org.contextvars4j.ContextLeakGuard;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The answers the bridges keep in the current context: found while the context's vars are
 * unchanged, dropped by any set, reset, enter or exit, never kept for a context that changed.
 */
@ExtendWith(ContextLeakGuard.class)
class BridgesTest {

    private static final ContextVar<String> VAR = ContextVar.of("bridges.var");
    private static final ContextVar<String> OTHER = ContextVar.of("bridges.other");

    @Test
    void answer_keptWhileNothingChanged_droppedBySetAndReset() {
        try (Token<String> t = VAR.set("a")) {
            Object answer = new Object();
            Bridges.keep(Bridges.OPENTELEMETRY, Context.copyCurrent(), answer);
            assertThat(Bridges.answer(Bridges.OPENTELEMETRY)).isSameAs(answer);
            assertThat(Bridges.answer(Bridges.GRPC)).isNull();
            Token<String> o = OTHER.set("b");
            assertThat(Bridges.answer(Bridges.OPENTELEMETRY)).isNull();
            Bridges.keep(Bridges.GRPC, Context.copyCurrent(), answer);
            OTHER.reset(o);
            assertThat(Bridges.answer(Bridges.GRPC)).isNull();
        }
    }

    @Test
    void answer_anotherContextEntered_notFoundThere_foundAgainAfterExit() {
        try (Token<String> t = VAR.set("a")) {
            Object answer = new Object();
            Bridges.keep(Bridges.GRPC, Context.copyCurrent(), answer);
            // A copy has the same vars, but the answer lives in the context it was kept in.
            Context.copyCurrent().run(() -> assertThat(Bridges.answer(Bridges.GRPC)).isNull());
            assertThat(Bridges.answer(Bridges.GRPC)).isSameAs(answer);
        }
    }

    @Test
    @DisplayName("keep of an answer derived from vars that are no longer the current ones keeps nothing")
    void keep_derivedFromAnOlderState_ignored() {
        try (Token<String> t = VAR.set("a")) {
            Context older = Context.copyCurrent();
            try (Token<String> o = OTHER.set("b")) {
                Bridges.keep(Bridges.OPENTELEMETRY, older, new Object());
                assertThat(Bridges.answer(Bridges.OPENTELEMETRY)).isNull();
            }
        }
    }

    @Test
    void answer_threadThatNeverHadAContext_null() throws Exception {
        Object[] seen = {"unset"};
        Thread thread = new Thread(() -> {
            Bridges.keep(Bridges.OPENTELEMETRY, Context.copyCurrent(), new Object());
            seen[0] = Bridges.answer(Bridges.OPENTELEMETRY);
        });
        thread.start();
        thread.join();
        assertThat(seen[0]).isNull();
    }

    @Test
    void sameVarsAsCurrent_sameValuesByIdentity_ignoredVarLeftOut() {
        String value = "a";
        try (Token<String> t = VAR.set(value)) {
            Context snapshot = Context.copyCurrent();
            try (Token<String> o = OTHER.set("bridge's own")) {
                assertThat(Bridges.sameVarsAsCurrent(snapshot, OTHER)).isTrue();
                assertThat(Bridges.sameVarsAsCurrent(snapshot, VAR)).isFalse();
                assertThat(Bridges.ownVars(Context.copyCurrent(), OTHER)).isEqualTo(1);
            }
            try (Token<String> o = VAR.set(new String("a"))) {
                assertThat(Bridges.sameVarsAsCurrent(snapshot, OTHER)).isFalse();
            }
        }
    }
}
