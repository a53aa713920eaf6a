package org.contextvars4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executor;
import org.contextvars4j.ContextExecutors;

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

    // ---- token-free replace and restore (issue 25) ----

    private static final ContextVar<String> HELD = ContextVar.of("bridges.held");
    private static final Executor DIRECT = ContextExecutors.wrap((Executor) Runnable::run);

    @Test
    @DisplayName("S2/S3: replace sets the var in the current context only; a copy taken before keeps the old value, one taken after sees the new")
    void replace_setsInCurrentContextOnly_earlierCopyKeepsOldValue() {
        try (Token<String> t = VAR.set("a")) {
            Context before = Context.copyCurrent();
            Object[] after = Bridges.replace(HELD, "held");
            try {
                assertThat(HELD.get()).isEqualTo("held");
                assertThat(VAR.get()).isEqualTo("a");
                assertThat(Bridges.currentMap()).isSameAs(after);
                assertThat(Bridges.valueIn(after, HELD)).isEqualTo("held");
                assertThat(before.containsKey(HELD)).isFalse();
                assertThat(Context.copyCurrent().get(HELD)).isEqualTo("held");
            } finally {
                Bridges.replace(HELD, Token.MISSING);
            }
            assertThat(Context.copyCurrent().containsKey(HELD)).isFalse();
        }
    }

    @Test
    @DisplayName("S5/S6: restore puts the map before back in O(1) while nothing changed; a copy taken in between keeps the replaced value")
    void restore_nothingChangedSince_putsTheMapBackExactly_copyKeepsValue() {
        Object[] before = Bridges.currentMap();
        Object[] after = Bridges.replace(HELD, "held");
        Context during = Context.copyCurrent();
        assertThat(Bridges.restore(after, before)).isTrue();
        assertThat(Bridges.currentMap()).isSameAs(before);
        assertThat(HELD.orElse("none")).isEqualTo("none");
        assertThat(during.get(HELD)).isEqualTo("held");
        assertThat(Bridges.valueIn(before, HELD)).isNull();
    }

    @Test
    @DisplayName("S5: restore after another var changed, or in another context, refuses and changes nothing")
    void restore_mapChangedOrOtherContext_refused_nothingChanged() {
        Object[] before = Bridges.currentMap();
        Object[] after = Bridges.replace(HELD, "held");
        try (Token<String> t = VAR.set("set in between")) {
            Object[] now = Bridges.currentMap();
            assertThat(Bridges.restore(after, before)).isFalse();
            assertThat(Bridges.currentMap()).isSameAs(now);
            assertThat(HELD.get()).isEqualTo("held");
        }
        new Context().run(() -> {
            assertThat(Bridges.restore(after, before)).isFalse();
            assertThat(Context.copyCurrent().isEmpty()).isTrue();
        });
        assertThat(Bridges.restore(after, before)).isTrue();
    }

    @Test
    @DisplayName("S3/S5 in a borrowing hand-off: replace and restore change the run's own copy, never the borrowed caller's context")
    void replaceAndRestore_inABorrowingRun_leaveTheCallersContextAlone() {
        try (Token<String> t = VAR.set("caller")) {
            Object[] callers = Bridges.currentMap();
            DIRECT.execute(() -> {
                Object[] before = Bridges.currentMap();
                Object[] after = Bridges.replace(HELD, "in task");
                assertThat(HELD.get()).isEqualTo("in task");
                assertThat(Bridges.restore(after, before)).isTrue();
                assertThat(HELD.orElse("none")).isEqualTo("none");
                Bridges.replace(HELD, "left by the task");
            });
            assertThat(Bridges.currentMap()).isSameAs(callers);
            assertThat(HELD.orElse("none")).isEqualTo("none");
            // Restoring the caller's own map from inside a borrowing run makes the run's copy.
            Object[] after = Bridges.replace(HELD, "caller's");
            DIRECT.execute(() -> assertThat(Bridges.restore(after, callers)).isTrue());
            assertThat(HELD.get()).isEqualTo("caller's");
            assertThat(Bridges.restore(after, callers)).isTrue();
        }
    }
}
