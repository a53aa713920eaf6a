package org.contextvars4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.contextvars4j.Context;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextLeakGuard;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one-lookup read-modify-write of the MDC bridges (issue 26): {@link Bridges#contextForWrite},
 * {@link Bridges#currentContext}, {@link Bridges#mapOf}, {@link Bridges#replaceIn} and
 * {@link Bridges#restoreIn} write exactly what {@link Bridges#replace} and {@link Bridges#restore}
 * write (S3, S5), with the current context found once.
 */
@ExtendWith(ContextLeakGuard.class)
class BridgesWritesTest {

    private static final ContextVar<String> VAR = ContextVar.of("writes.var");
    private static final ContextVar<String> HELD = ContextVar.of("writes.held");
    private static final Executor DIRECT = ContextExecutors.wrap((Executor) Runnable::run);

    @Test
    @DisplayName("S3: replaceIn sets the var in the current context only, over the map mapOf read; a copy taken before keeps the old value")
    void replaceIn_setsInCurrentContextOnly_earlierCopyKeepsOldValue() {
        try (Token<String> t = VAR.set("a")) {
            Context before = Context.copyCurrent();
            Context c = Bridges.contextForWrite();
            Object[] read = Bridges.mapOf(c);
            assertThat(read).isSameAs(Bridges.currentMap());
            Object[] after = Bridges.replaceIn(c, HELD, "held");
            try {
                assertThat(HELD.get()).isEqualTo("held");
                assertThat(VAR.get()).isEqualTo("a");
                assertThat(Bridges.currentMap()).isSameAs(after);
                assertThat(Bridges.valueIn(after, HELD)).isEqualTo("held");
                assertThat(Bridges.valueIn(read, HELD)).isNull();
                assertThat(before.containsKey(HELD)).isFalse();
            } finally {
                Bridges.replaceIn(Bridges.contextForWrite(), HELD, Token.MISSING);
            }
            assertThat(Context.copyCurrent().containsKey(HELD)).isFalse();
        }
    }

    @Test
    @DisplayName("S1: a thread that never had a context has none to read (the empty map) until contextForWrite creates its base context, as a set does")
    void contextForWrite_threadWithoutContext_createsItsBaseContext() throws Exception {
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            Context none = Bridges.currentContext();
            Object[] empty = Bridges.mapOf(none);
            Context base = Bridges.contextForWrite();
            Bridges.replaceIn(base, HELD, "on a new thread");
            seen.set(new Object[] {none, Bridges.valueIn(empty, HELD), base == Bridges.currentContext(), HELD.get()});
        });
        thread.start();
        thread.join();
        assertThat((Object[]) seen.get()).containsExactly(null, null, true, "on a new thread");
    }

    @Test
    @DisplayName("S5/S6: restoreIn puts the map before back in O(1) while nothing changed; a copy taken in between keeps the value")
    void restoreIn_nothingChangedSince_putsTheMapBackExactly() {
        Object[] before = Bridges.currentMap();
        Object[] after = Bridges.replaceIn(Bridges.contextForWrite(), HELD, "held");
        Context during = Context.copyCurrent();
        Context c = Bridges.currentContext();
        assertThat(Bridges.mapOf(c)).isSameAs(after);
        assertThat(Bridges.restoreIn(c, after, before)).isTrue();
        assertThat(Bridges.currentMap()).isSameAs(before);
        assertThat(HELD.orElse("none")).isEqualTo("none");
        assertThat(during.get(HELD)).isEqualTo("held");
    }

    @Test
    @DisplayName("S5: restoreIn after another var changed, in another context, or with no context, refuses and changes nothing")
    void restoreIn_mapChangedOrOtherContextOrNone_refused_nothingChanged() throws Exception {
        Object[] before = Bridges.currentMap();
        Object[] after = Bridges.replaceIn(Bridges.contextForWrite(), HELD, "held");
        try (Token<String> t = VAR.set("set in between")) {
            Object[] now = Bridges.currentMap();
            assertThat(Bridges.restoreIn(Bridges.currentContext(), after, before)).isFalse();
            assertThat(Bridges.currentMap()).isSameAs(now);
            assertThat(HELD.get()).isEqualTo("held");
        }
        new Context().run(() -> {
            assertThat(Bridges.restoreIn(Bridges.currentContext(), after, before)).isFalse();
            assertThat(Context.copyCurrent().isEmpty()).isTrue();
        });
        AtomicReference<Boolean> onNewThread = new AtomicReference<>();
        Thread thread = new Thread(() -> onNewThread.set(Bridges.restoreIn(Bridges.currentContext(), after, before)));
        thread.start();
        thread.join();
        assertThat(onNewThread.get()).isFalse();
        assertThat(Bridges.restoreIn(Bridges.currentContext(), after, before)).isTrue();
        assertThat(Bridges.currentMap()).isSameAs(before);
    }

    @Test
    @DisplayName("S3/S5 in a borrowing hand-off: contextForWrite is the run's own copy, and restoreIn changes that copy, never the borrowed caller's context")
    void contextForWriteAndRestoreIn_inABorrowingRun_leaveTheCallersContextAlone() {
        try (Token<String> t = VAR.set("caller")) {
            Context callersContext = Bridges.currentContext();
            Object[] callers = Bridges.currentMap();
            DIRECT.execute(() -> {
                assertThat(Bridges.currentContext()).isSameAs(callersContext);   // borrowed: no copy yet
                Context c = Bridges.contextForWrite();
                assertThat(c).isNotSameAs(callersContext);
                assertThat(Bridges.mapOf(c)).isSameAs(callers);
                Object[] after = Bridges.replaceIn(c, HELD, "in task");
                assertThat(HELD.get()).isEqualTo("in task");
                assertThat(Bridges.restoreIn(Bridges.currentContext(), after, callers)).isTrue();
                assertThat(HELD.orElse("none")).isEqualTo("none");
                Bridges.replaceIn(Bridges.contextForWrite(), HELD, "left by the task");
            });
            assertThat(Bridges.currentMap()).isSameAs(callers);
            assertThat(HELD.orElse("none")).isEqualTo("none");
            // Restoring the caller's own map from inside a borrowing run makes the run's copy.
            Object[] after = Bridges.replaceIn(Bridges.contextForWrite(), HELD, "caller's");
            DIRECT.execute(() -> {
                Context borrowed = Bridges.currentContext();
                assertThat(Bridges.restoreIn(borrowed, after, callers)).isTrue();
                assertThat(Bridges.currentContext()).isNotSameAs(borrowed);
                assertThat(HELD.orElse("none")).isEqualTo("none");
            });
            assertThat(HELD.get()).isEqualTo("caller's");
            assertThat(Bridges.restoreIn(Bridges.currentContext(), after, callers)).isTrue();
            assertThat(HELD.orElse("none")).isEqualTo("none");
        }
    }
}
