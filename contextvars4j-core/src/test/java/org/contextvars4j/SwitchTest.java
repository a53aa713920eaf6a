package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.contextvars4j.internal.Bridges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The switch hook ({@link Bridges#switchTo} / {@link Bridges#switchBack}) that the coroutine
 * element uses at each resumption and suspension: the thread's current context swapped for a
 * context only the caller reaches, and swapped back. Reads, sets, tokens and contexts entered on
 * top behave as in an entered context (S4-S6, S8); a switch back is refused, naming the context
 * on top and changing nothing, while a scope opened on top is still open; a repeated or stale
 * switch back changes nothing.
 */
@ExtendWith(ContextLeakGuard.class)
class SwitchTest {

    private static final ContextVar<String> V = ContextVar.of("switch.v");

    private final ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "switch-other"));

    @AfterEach
    void shutDown() throws Exception {
        ContextLeakGuard.assertPoolClean(other, 1);
        other.shutdown();
        assertThat(other.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** What a refusal or an ignored call must not change: the current context and its values. */
    private record State(Context current, List<Object> values) {
        static State now() {
            Context c = Storage.currentOrNull();
            return new State(c, c == null ? List.of() : List.copyOf(Arrays.asList(c.values().toArray())));
        }
    }

    private static void assertUnchanged(State before) {
        State after = State.now();
        assertThat(after.current()).as("current context").isSameAs(before.current());
        assertThat(after.values()).as("values of the current context").isEqualTo(before.values());
    }

    private <T> T onOther(Callable<T> action) throws Exception {
        return other.submit(action).get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("S6: switchTo makes the context current and returns the previous one, switchBack restores it; sets stay in the context")
    void switchToAndBack_contextCurrentBetween_previousRestored_S6() {
        Context ctx = new Context().with(V, "in-ctx");
        try (Token<String> base = V.set("base")) {
            Context before = Storage.currentOrNull();
            assertThat(Bridges.switchTo(ctx)).isSameAs(before);
            assertThat(Storage.currentOrNull()).isSameAs(ctx);
            assertThat(before.covered).as("the previous context is covered while the switch lasts").isTrue();
            assertThat(V.get()).isEqualTo("in-ctx");
            V.set("changed");
            Bridges.switchBack(ctx, before);
            assertThat(Storage.currentOrNull()).isSameAs(before);
            assertThat(before.covered).isFalse();
            assertThat(V.get()).isEqualTo("base");
            assertThat(ctx.get(V)).isEqualTo("changed");
            assertThat(ctx.isEntered()).as("a switched-in context is never entered").isFalse();
        }
    }

    @Test
    @DisplayName("on a thread with no context yet: switchTo returns null, switchBack(ctx, null) leaves the thread without one (S11)")
    void switchTo_threadWithoutContext_returnsNullAndLeavesItClean_S11() throws Exception {
        Context ctx = new Context().with(V, "in-ctx");
        String seen = onOther(() -> {
            Context before = Storage.currentOrNull();
            Context returned = Bridges.switchTo(ctx);
            String v = V.get();
            Bridges.switchBack(ctx, returned);
            return before + "/" + returned + "/" + v + "/" + Storage.currentOrNull();
        });
        assertThat(seen).isEqualTo("null/null/in-ctx/null");
    }

    @Test
    @DisplayName("on a library-owned thread (its slot a field, not the ThreadLocal): switchTo and switchBack swap that slot")
    void switchToAndBack_libraryOwnedThread_fieldSlotSwapped() throws Exception {
        Context ctx = new Context().with(V, "in-ctx");
        Context threadContext = new Context().with(V, "thread");
        java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();
        Thread owned = ContextThreads.start(threadContext, () -> {
            Context before = Bridges.switchTo(ctx);
            String inside = V.get() + "," + (Storage.currentOrNull() == ctx) + "," + threadContext.covered;
            Bridges.switchBack(ctx, before);
            seen.complete((before == threadContext) + "," + inside + "," + V.get() + "," + threadContext.covered);
        });
        assertThat(owned).isInstanceOf(Storage.OwnedThread.class);
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("true,in-ctx,true,true,thread,false");
        owned.join(10_000);
    }

    @Test
    @DisplayName("S5: a token made before a switch back resets after a switch to the same context on another thread")
    void switchTo_onAnotherThreadAfterSwitchBack_sameContextTokenResets_S5() throws Exception {
        Context ctx = new Context();
        Context before = Bridges.switchTo(ctx);
        Token<String> token = V.set("before suspension");
        Bridges.switchBack(ctx, before);
        String seen = onOther(() -> {
            Context theirs = Bridges.switchTo(ctx);
            try {
                String v = V.get();
                V.reset(token);
                return v + "/" + V.orElse("unset");
            } finally {
                Bridges.switchBack(ctx, theirs);
            }
        });
        assertThat(seen).isEqualTo("before suspension/unset");
        assertThat(ctx.containsKey(V)).isFalse();
    }

    @Test
    @DisplayName("a nested switch to the current context changes nothing and returns the context itself")
    void switchTo_contextAlreadyCurrent_returnsItselfChangesNothing() {
        Context ctx = new Context().with(V, "in-ctx");
        Context before = Bridges.switchTo(ctx);
        State state = State.now();
        assertThat(Bridges.switchTo(ctx)).isSameAs(ctx);
        assertUnchanged(state);
        assertThat(ctx.covered).isFalse();
        Bridges.switchBack(ctx, before);
        assertThat(Storage.currentOrNull()).isSameAs(before);
    }

    @Test
    @DisplayName("S4, S6: a context entered on top of a switched-in one sees its values and leaves it current again")
    void enterOnTop_switchedInContext_valuesInheritedAndRestored_S4_S6() {
        Context ctx = new Context().with(V, "in-ctx");
        Context before = Bridges.switchTo(ctx);
        String inner = ctx.copy().supply(() -> {
            V.set("inner");
            return V.get();
        });
        assertThat(inner).isEqualTo("inner");
        assertThat(Storage.currentOrNull()).isSameAs(ctx);
        assertThat(V.get()).isEqualTo("in-ctx");
        Bridges.switchBack(ctx, before);
    }

    @Test
    @DisplayName("a read inside a run reads a context switched in on top of it (the run's entry is covered, also with the ScopedValue binding)")
    void switchTo_insideRun_readsTheSwitchedInContext() {
        Context outer = new Context().with(V, "outer");
        Context ctx = new Context().with(V, "in-ctx");
        String seen = outer.supply(() -> {
            Context before = Bridges.switchTo(ctx);
            try {
                return V.get();
            } finally {
                Bridges.switchBack(ctx, before);
            }
        });
        assertThat(seen).isEqualTo("in-ctx");
    }

    @Test
    void switchToAndBack_nullContext_throwsNamingTheParameter_S9() {
        State state = State.now();
        assertThatThrownBy(() -> Bridges.switchTo(null)).isInstanceOf(NullPointerException.class).hasMessage("context");
        assertThatThrownBy(() -> Bridges.switchBack(null, null)).isInstanceOf(NullPointerException.class).hasMessage("context");
        assertUnchanged(state);
    }

    @Nested
    @DisplayName("switch backs that find the context no longer current")
    class StaleSwitchBacks {

        @Test
        @DisplayName("a switch back repeated (kotlinx may restore a state twice) changes nothing")
        void switchBack_twice_secondChangesNothing() {
            Context ctx = new Context().with(V, "in-ctx");
            try (Token<String> base = V.set("base")) {
                Context before = Bridges.switchTo(ctx);
                Bridges.switchBack(ctx, before);
                State state = State.now();
                Bridges.switchBack(ctx, before);
                assertUnchanged(state);
            }
        }

        @Test
        @DisplayName("a stale switch back while another context is entered leaves that context current (S8: it is not exited)")
        void switchBack_afterAnotherContextEntered_leavesItCurrent_S8() {
            Context ctx = new Context().with(V, "in-ctx");
            Context before = Bridges.switchTo(ctx);
            Bridges.switchBack(ctx, before);
            Context entered = new Context().with(V, "entered");
            try (Scope scope = entered.enter()) {
                State state = State.now();
                Bridges.switchBack(ctx, before);
                assertUnchanged(state);
                assertThat(V.get()).isEqualTo("entered");
            }
            assertThat(Storage.currentOrNull()).isSameAs(before);
        }

        @Test
        @DisplayName("S11: a switch back on a thread the context was never switched to leaves that thread as it is")
        void switchBack_onAnotherThread_changesNothingThere_S11() throws Exception {
            Context ctx = new Context().with(V, "in-ctx");
            Context before = Bridges.switchTo(ctx);
            try {
                String there = onOther(() -> {
                    Context theirs = Storage.currentOrNull();
                    Bridges.switchBack(ctx, before);   // before is this thread's context: must not land there
                    return theirs + "/" + Storage.currentOrNull();
                });
                assertThat(there).isEqualTo("null/null");
                assertThat(Storage.currentOrNull()).isSameAs(ctx);
            } finally {
                Bridges.switchBack(ctx, before);
            }
        }
    }

    @Nested
    @DisplayName("S8: a switch back under a scope still open is refused")
    class Refusals {

        @Test
        @DisplayName("with a scope still open on top, switchBack is refused naming both contexts, changing nothing; it works once the scope is closed")
        void switchBack_scopeOpenOnTop_refusedNothingChanged_S8() {
            Context ctx = new Context().with(V, "in-ctx");
            Context before = Bridges.switchTo(ctx);
            Context top = new Context().with(V, "top");
            Scope scope = top.enter();
            State state = State.now();
            assertThatThrownBy(() -> Bridges.switchBack(ctx, before))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot leave context: " + ctx + " has " + top + " entered on top of it on thread "
                            + Thread.currentThread().getName() + ", still entered; exit it first");
            assertUnchanged(state);
            assertThat(top.isEntered()).isTrue();
            scope.close();
            assertThat(Storage.currentOrNull()).isSameAs(ctx);
            Bridges.switchBack(ctx, before);
            assertThat(Storage.currentOrNull()).isSameAs(before);
        }

        @Test
        @DisplayName("two scopes open on top: refused, naming the one directly on top")
        void switchBack_twoScopesOpenOnTop_refusedNamingTheOneDirectlyOnTop_S8() {
            Context ctx = new Context();
            Context before = Bridges.switchTo(ctx);
            Context first = new Context().with(V, "first");
            Context second = new Context().with(V, "second");
            try (Scope a = first.enter(); Scope b = second.enter()) {
                State state = State.now();
                assertThatThrownBy(() -> Bridges.switchBack(ctx, before))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(" has " + first + " entered on top of it");
                assertUnchanged(state);
            }
            Bridges.switchBack(ctx, before);
            assertThat(Storage.currentOrNull()).isSameAs(before);
        }

        @Test
        @DisplayName("S8: a context switched in inside a run and not switched back is exited by force when the run ends, as a scope left open is")
        void run_switchLeftOnTop_exitedByForceAndReported_S8() {
            Context outer = new Context();
            Context inner = new Context().with(V, "inner");
            String outerDescription = outer.toString();
            Context[] returned = new Context[1];
            assertThatThrownBy(() -> outer.run(() -> returned[0] = Bridges.switchTo(inner)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot exit context: " + inner + " was entered inside "
                            + outerDescription.replace("not entered", "entered") + " and is still entered; it was exited by force");
            assertThat(outer.isEntered()).isFalse();
            assertThat(returned[0]).isSameAs(outer);
            // the element's late switch back finds it already left, and changes nothing
            State state = State.now();
            Bridges.switchBack(inner, returned[0]);
            assertUnchanged(state);
        }
    }

    @Test
    @DisplayName("leak detection: a switch left at the end of a task is undone by force, reported, and the worker repaired")
    void wrappedTask_switchLeft_reportedAndWorkerRepaired() throws Exception {
        List<LeakDetection.Leak> leaks = new CopyOnWriteArrayList<>();
        LeakDetection.setListener(leaks::add);
        LeakDetection.enable(1);
        try (Worker worker = new Worker()) {
            ExecutorService pool = ContextExecutors.wrap((ExecutorService) worker.raw);
            Context left = new Context().with(V, "left");
            Future<?> task = pool.submit(() -> Bridges.switchTo(left));
            assertThatThrownBy(() -> task.get(10, TimeUnit.SECONDS))
                    .hasStackTraceContaining("cannot exit context: " + left)
                    .hasStackTraceContaining("is still entered; it was exited by force");
            worker.assertRestored("after a switch left in place");
            assertThat(leaks).extracting(LeakDetection.Leak::kind).doesNotContain(LeakDetection.Kind.SCOPE_NOT_CLOSED);
        } finally {
            LeakDetection.disable();
            LeakDetection.setListener(null);
        }
    }

    @Test
    @DisplayName("leak detection: a task run by its caller inside a switched-in context is not reported as a base context holding values")
    void wrappedTaskRunByCaller_insideSwitchedInContext_noBaseContextReport() {
        List<LeakDetection.Leak> leaks = new CopyOnWriteArrayList<>();
        LeakDetection.setListener(leaks::add);
        LeakDetection.enable(1);
        Context ctx = new Context().with(V, "in-ctx");
        Context before = Bridges.switchTo(ctx);
        try {
            String[] seen = new String[1];
            ContextExecutors.wrap((java.util.concurrent.Executor) Runnable::run).execute(() -> seen[0] = V.get());
            assertThat(seen[0]).isEqualTo("in-ctx");
            assertThat(leaks).isEmpty();
        } finally {
            Bridges.switchBack(ctx, before);
            LeakDetection.disable();
            LeakDetection.setListener(null);
        }
    }

    @Test
    @DisplayName("the unwinding race: two threads take turns with one context, each switching back after passing the turn on; each turn sees every write of the last, and each thread ends clean")
    void switchTo_turnsOnTwoThreadsSwitchingBackLate_eachTurnSeesThePreviousWrites() throws Exception {
        ContextVar<int[]> counter = ContextVar.of("switch.counter");
        Context ctx = new Context();
        Context home = Storage.currentOrNull();
        int turns = 200_000;
        AtomicInteger turn = new AtomicInteger();
        AtomicInteger mismatches = new AtomicInteger();
        Future<Integer> theirs = other.submit(() -> playTurns(ctx, counter, turn, turns, 1, mismatches));
        int mine = playTurns(ctx, counter, turn, turns, 0, mismatches);
        assertThat(mine + theirs.get(60, TimeUnit.SECONDS)).isEqualTo(turns);
        assertThat(mismatches.get()).as("turns that did not see the previous turn's set, or found a stranger's context").isZero();
        assertThat(ctx.get(counter)).containsExactly(turns);
        assertThat(Storage.currentOrNull()).isSameAs(home);
    }

    /**
     * Plays every other turn: waits for it, switches {@code ctx} in, checks that the previous
     * turn's set is visible, sets the next value, passes the turn on and only then switches back,
     * as a coroutine resumed on another thread may run before its previous thread has unwound.
     */
    private static int playTurns(Context ctx, ContextVar<int[]> counter, AtomicInteger turn,
            int turns, int parity, AtomicInteger mismatches) {
        Context home = Storage.currentOrNull();
        int played = 0;
        for (int t = parity; t < turns; t += 2) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (turn.get() != t) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("turn " + t + " never came");
                }
                Thread.onSpinWait();
            }
            Context before = Bridges.switchTo(ctx);
            if (before != home) {
                mismatches.incrementAndGet();
            }
            int[] seen = counter.orElse(new int[] {0});
            if (seen[0] != t) {
                mismatches.incrementAndGet();
            }
            counter.set(new int[] {t + 1});
            turn.set(t + 1);
            Bridges.switchBack(ctx, before);
            if (Storage.currentOrNull() != home) {
                mismatches.incrementAndGet();
            }
            played++;
        }
        return played;
    }
}
