package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.contextvars4j.internal.Bridges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The activation hook ({@link Bridges#activate}, {@link Bridges#activateOwned} / {@link Bridges#deactivate}) that the coroutine
 * element uses at each resumption and suspension: an enter without a {@link Scope}, under the same
 * rules as {@link Context#enter()} and {@link Scope#close()} (S6, S7, S8), each refusal naming
 * the context and changing nothing.
 */
@ExtendWith(ContextLeakGuard.class)
class ActivationTest {

    private static final ContextVar<String> V = ContextVar.of("activation.v");

    private final ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "activation-other"));

    @AfterEach
    void shutDown() throws Exception {
        ContextLeakGuard.assertPoolClean(other, 1);
        other.shutdown();
        assertThat(other.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** What a refusal must not change: the current context, its values, and whether {@code ctx} is entered. */
    private record State(Context current, List<Object> values, boolean entered, Thread owner) {
        static State of(Context ctx) {
            Context c = Storage.currentOrNull();
            return new State(c, c == null ? List.of() : List.copyOf(Arrays.asList(c.values().toArray())),
                    ctx.isEntered(), ctx.owner());
        }
    }

    private static void assertUnchanged(State before, Context ctx) {
        State after = State.of(ctx);
        assertThat(after.current()).as("current context").isSameAs(before.current());
        assertThat(after.values()).as("values of the current context").isEqualTo(before.values());
        assertThat(after.entered()).as("entered state of " + ctx).isEqualTo(before.entered());
        assertThat(after.owner()).as("owner of " + ctx).isSameAs(before.owner());
    }

    private <V> V onOther(Callable<V> action) throws Exception {
        return other.submit(action).get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("S6: activate makes the context current, deactivate restores the previous one; sets stay in the context")
    void activateDeactivate_contextCurrentBetween_previousRestored_S6() {
        Context ctx = new Context().with(V, "in-ctx");
        try (Token<String> base = V.set("base")) {
            Context before = Storage.currentOrNull();
            Bridges.activate(ctx);
            assertThat(Storage.currentOrNull()).isSameAs(ctx);
            assertThat(ctx.isEntered()).isTrue();
            assertThat(V.get()).isEqualTo("in-ctx");
            V.set("changed");
            Bridges.deactivate(ctx);
            assertThat(Storage.currentOrNull()).isSameAs(before);
            assertThat(ctx.isEntered()).isFalse();
            assertThat(V.get()).isEqualTo("base");
            assertThat(ctx.get(V)).isEqualTo("changed");
        }
    }

    @Test
    @DisplayName("a coroutine's round trips: activated on one thread, then on another, its token resets there (S5)")
    void activate_onAnotherThreadAfterDeactivate_sameContextTokenResets() throws Exception {
        Context ctx = new Context();
        Bridges.activate(ctx);
        Token<String> token = V.set("before suspension");
        Bridges.deactivate(ctx);
        String seen = onOther(() -> {
            Bridges.activate(ctx);
            try {
                String v = V.get();
                V.reset(token);
                return v + "/" + V.orElse("unset");
            } finally {
                Bridges.deactivate(ctx);
            }
        });
        assertThat(seen).isEqualTo("before suspension/unset");
        assertThat(ctx.isEntered()).isFalse();
        assertThat(ctx.containsKey(V)).isFalse();
    }

    @Test
    @DisplayName("activations nest: one on top of another, left innermost first (S8)")
    void activate_nested_leftInOrder_S8() {
        Context outer = new Context().with(V, "outer");
        Context inner = new Context().with(V, "inner");
        Bridges.activate(outer);
        Bridges.activate(inner);
        assertThat(V.get()).isEqualTo("inner");
        Bridges.deactivate(inner);
        assertThat(V.get()).isEqualTo("outer");
        Bridges.deactivate(outer);
        assertThat(V.orElse("none")).isEqualTo("none");
    }

    @Test
    void activateDeactivate_nullContext_throwsNamingTheParameter_S9() {
        assertThatThrownBy(() -> Bridges.activate(null)).isInstanceOf(NullPointerException.class).hasMessage("context");
        assertThatThrownBy(() -> Bridges.deactivate(null)).isInstanceOf(NullPointerException.class).hasMessage("context");
    }

    @Nested
    @DisplayName("S7: activating an entered context is refused")
    class ActivateRefusals {

        @Test
        void activate_activatedOnThisThread_refusedNothingChanged_S7() {
            Context ctx = new Context().with(V, "held");
            Bridges.activate(ctx);
            try {
                State before = State.of(ctx);
                String description = ctx.toString();
                assertThatThrownBy(() -> Bridges.activate(ctx)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot enter context: " + description + " is already entered on this thread");
                assertUnchanged(before, ctx);
            } finally {
                Bridges.deactivate(ctx);
            }
            assertThat(ctx.isEntered()).isFalse();
        }

        @Test
        void activate_enteredByRunOnThisThread_refused_S7() {
            Context ctx = new Context();
            ctx.run(() -> {
                State before = State.of(ctx);
                assertThatThrownBy(() -> Bridges.activate(ctx)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot enter context: " + ctx + " is already entered on this thread");
                assertUnchanged(before, ctx);
            });
        }

        @Test
        @DisplayName("S7 both ways: a context activated on another thread refuses activate, activateOwned, run and enter here")
        void activate_activatedOnAnotherThread_refusedEveryWayIn_S7() throws Exception {
            assertRefusedEveryWayInWhileActivatedOnOther(Bridges::activate);
        }
    }

    @Nested
    @DisplayName("activateOwned: the same activation for a context only its caller reaches, claimed without a compare-and-set")
    class OwnedActivations {

        @Test
        @DisplayName("S6, S5: current between activateOwned and deactivate, on one thread then another; a token made before the hand-over resets after it")
        void activateOwned_roundTripsOnTwoThreads_tokenResetsOnTheSecond_S5_S6() throws Exception {
            Context ctx = new Context();
            try (Token<String> base = V.set("base")) {
                Bridges.activateOwned(ctx);
                assertThat(Storage.currentOrNull()).isSameAs(ctx);
                assertThat(ctx.owner()).isSameAs(Thread.currentThread());
                Token<String> token = V.set("before suspension");
                Bridges.deactivate(ctx);
                assertThat(V.get()).isEqualTo("base");
                assertThat(ctx.isEntered()).isFalse();
                String seen = onOther(() -> {
                    Bridges.activateOwned(ctx);
                    try {
                        String v = V.get() + "@" + (ctx.owner() == Thread.currentThread());
                        V.reset(token);
                        return v + "/" + V.orElse("unset");
                    } finally {
                        Bridges.deactivate(ctx);
                    }
                });
                assertThat(seen).isEqualTo("before suspension@true/unset");
            }
            assertThat(ctx.isEntered()).isFalse();
            assertThat(ctx.containsKey(V)).isFalse();
        }

        @Test
        @DisplayName("S7: a context still activated on this thread, or entered by run, refuses activateOwned, changing nothing")
        void activateOwned_enteredOnThisThread_refusedNothingChanged_S7() {
            Context ctx = new Context().with(V, "held");
            Bridges.activateOwned(ctx);
            try {
                State before = State.of(ctx);
                String description = ctx.toString();
                assertThatThrownBy(() -> Bridges.activateOwned(ctx)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot enter context: " + description + " is already entered on this thread");
                assertUnchanged(before, ctx);
            } finally {
                Bridges.deactivate(ctx);
            }
            Context running = new Context();
            running.run(() -> {
                State before = State.of(running);
                assertThatThrownBy(() -> Bridges.activateOwned(running)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot enter context: " + running + " is already entered on this thread");
                assertUnchanged(before, running);
            });
            assertThat(ctx.isEntered()).isFalse();
            assertThat(running.isEntered()).isFalse();
        }

        @Test
        @DisplayName("S7 both ways: a context activated by activateOwned on another thread refuses activate, activateOwned, run and enter here")
        void activateOwned_activatedOnAnotherThread_refusedEveryWayIn_S7() throws Exception {
            assertRefusedEveryWayInWhileActivatedOnOther(Bridges::activateOwned);
        }

        @Test
        void activateOwned_nullContext_throwsNamingTheParameter_S9() {
            assertThatThrownBy(() -> Bridges.activateOwned(null)).isInstanceOf(NullPointerException.class).hasMessage("context");
        }

        @Test
        @DisplayName("S7, ordered hand-over: two threads take turns with one context as a coroutine's resumptions do; each sees every write of the last")
        void activateOwned_turnsOnTwoThreads_eachTurnSeesThePreviousWrites_S7() throws Exception {
            ContextVar<int[]> counter = ContextVar.of("activation.counter");
            Context ctx = new Context();
            int turns = 200_000;
            AtomicInteger turn = new AtomicInteger();
            AtomicInteger mismatches = new AtomicInteger();
            Callable<Integer> half = () -> playTurns(ctx, counter, turn, turns, 1, mismatches);
            Future<Integer> theirs = other.submit(half);
            int mine = playTurns(ctx, counter, turn, turns, 0, mismatches);
            assertThat(mine + theirs.get(60, TimeUnit.SECONDS)).isEqualTo(turns);
            assertThat(mismatches.get()).as("turns that did not see the previous turn's set").isZero();
            assertThat(ctx.get(counter)).containsExactly(turns);
            assertThat(ctx.isEntered()).isFalse();
        }
    }

    /**
     * Activates a context on the other thread with {@code activation} and checks, while it is
     * held there, that every way in is refused here (S7), naming the context and changing
     * nothing; then that the other thread saw its value and left it.
     */
    private void assertRefusedEveryWayInWhileActivatedOnOther(Consumer<Context> activation) throws Exception {
        Context ctx = new Context().with(V, "held");
        CountDownLatch activated = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> held = other.submit(() -> {
            activation.accept(ctx);
            try {
                activated.countDown();
                assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                return V.get();
            } finally {
                Bridges.deactivate(ctx);
            }
        });
        try {
            assertThat(activated.await(10, TimeUnit.SECONDS)).isTrue();
            String refused = "cannot enter context: " + ctx + " is already entered";
            State before = State.of(ctx);
            assertThatThrownBy(() -> Bridges.activate(ctx)).isInstanceOf(IllegalStateException.class).hasMessage(refused);
            assertThatThrownBy(() -> Bridges.activateOwned(ctx)).isInstanceOf(IllegalStateException.class).hasMessage(refused);
            assertThatThrownBy(() -> ctx.run(() -> { })).isInstanceOf(IllegalStateException.class).hasMessage(refused);
            assertThatThrownBy(() -> ctx.enter()).isInstanceOf(IllegalStateException.class).hasMessage(refused);
            assertUnchanged(before, ctx);
        } finally {
            release.countDown();
        }
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("held");
        assertThat(ctx.isEntered()).isFalse();
    }

    /**
     * Plays every turn {@code t} with {@code t % 2 == parity}: waits for it, waits until the
     * context is left (the coroutine element's wait), activates it, checks that the counter holds
     * {@code t} (the previous turn's write, made on the other thread), sets {@code t + 1} as a new
     * array, leaves it and passes the turn on. {@return the turns played}
     */
    private static int playTurns(Context ctx, ContextVar<int[]> counter, AtomicInteger turn,
            int turns, int parity, AtomicInteger mismatches) {
        int played = 0;
        for (int t = parity; t < turns; t += 2) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (turn.get() != t || ctx.isEntered()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("turn " + t + " never came");
                }
                Thread.onSpinWait();
            }
            Bridges.activateOwned(ctx);
            int[] seen = counter.orElse(new int[] {0});
            if (seen[0] != t) {
                mismatches.incrementAndGet();
            }
            counter.set(new int[] {t + 1});
            // pass the turn before leaving: the next player must wait for the exit, as a coroutine
            // resumed on another thread waits for the previous thread to unwind
            turn.set(t + 1);
            Bridges.deactivate(ctx);
            played++;
        }
        return played;
    }

    @Nested
    @DisplayName("S8: deactivate refusals")
    class DeactivateRefusals {

        @Test
        void deactivate_notEntered_refusedNothingChanged_S8() {
            Context ctx = new Context();
            State before = State.of(ctx);
            assertThatThrownBy(() -> Bridges.deactivate(ctx)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot exit context: " + ctx + " is not entered");
            assertUnchanged(before, ctx);
        }

        @Test
        void deactivate_twice_secondRefused_S8() {
            Context ctx = new Context();
            Bridges.activate(ctx);
            Bridges.deactivate(ctx);
            State before = State.of(ctx);
            assertThatThrownBy(() -> Bridges.deactivate(ctx)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot exit context: " + ctx + " is not entered");
            assertUnchanged(before, ctx);
        }

        @Test
        void deactivate_onAnotherThread_refusedOwnerStillLeaves_S8() throws Exception {
            Context ctx = new Context().with(V, "held");
            Bridges.activate(ctx);
            try {
                State before = State.of(ctx);
                String description = ctx.toString();
                String refusal = onOther(() -> {
                    try {
                        Bridges.deactivate(ctx);
                        return "not refused";
                    } catch (IllegalStateException e) {
                        return e.getMessage();
                    }
                });
                assertThat(refusal).isEqualTo("cannot exit context: " + description + " is entered on thread "
                        + Thread.currentThread().getName() + ", not on thread activation-other");
                assertUnchanged(before, ctx);
                assertThat(V.get()).isEqualTo("held");
            } finally {
                Bridges.deactivate(ctx);                 // the owner still can
            }
            assertThat(ctx.isEntered()).isFalse();
        }

        @Test
        @DisplayName("deactivate of a context entered by run or enter is refused: its scope or run owns the exit")
        void deactivate_enteredByRunOrEnter_refused_S8() {
            Context ctx = new Context();
            String refused = " was entered by run, call or enter, not by an activation";
            ctx.run(() -> {
                State before = State.of(ctx);
                assertThatThrownBy(() -> Bridges.deactivate(ctx)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot exit context: " + ctx + refused);
                assertUnchanged(before, ctx);
            });
            try (Scope scope = ctx.enter()) {
                State before = State.of(ctx);
                assertThatThrownBy(() -> Bridges.deactivate(ctx)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot exit context: " + ctx + refused);
                assertUnchanged(before, ctx);
                assertThat(scope.isClosed()).isFalse();
            }
        }

        @Test
        @DisplayName("S8: with a scope still open on top, deactivate is refused, as Scope.close() is; it works once the scope is closed")
        void deactivate_scopeOpenOnTop_refusedNothingChanged_S8() {
            Context ctx = new Context().with(V, "activated");
            Context top = new Context().with(V, "top");
            Bridges.activate(ctx);
            try (Scope scope = top.enter()) {
                State before = State.of(ctx);
                assertThatThrownBy(() -> Bridges.deactivate(ctx)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot exit context: " + ctx + " is not the current context; exit the contexts entered on it first");
                assertUnchanged(before, ctx);
                assertThat(top.isEntered()).isTrue();
                assertThat(scope.isClosed()).isFalse();
                assertThat(V.get()).isEqualTo("top");
            }
            assertThat(V.get()).isEqualTo("activated");
            Bridges.deactivate(ctx);
            assertThat(ctx.isEntered()).isFalse();
        }

        @Test
        @DisplayName("S8: a context activated inside a run and left activated is exited by force when the run ends, as a scope left open is")
        void run_activationLeftOnTop_exitedByForceAndReported_S8() {
            Context outer = new Context();
            Context inner = new Context().with(V, "inner");
            String outerDescription = outer.toString();
            assertThatThrownBy(() -> outer.run(() -> Bridges.activate(inner)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot exit context: Context[size=1, vars=[activation.v], entered] was entered inside "
                            + outerDescription.replace("not entered", "entered"))
                    .hasMessageEndingWith("is still entered; it was exited by force");
            assertThat(inner.isEntered()).isFalse();
            assertThat(outer.isEntered()).isFalse();
            // the element's late restore finds it already left, and is refused without touching anything
            State before = State.of(inner);
            assertThatThrownBy(() -> Bridges.deactivate(inner)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot exit context: " + inner + " is not entered");
            assertUnchanged(before, inner);
        }
    }

    @Test
    @DisplayName("leak detection: an activation left at the end of a task is exited by force, reported, and the worker repaired")
    void wrappedTask_activationLeft_reportedAndWorkerRepaired() throws Exception {
        List<LeakDetection.Leak> leaks = new CopyOnWriteArrayList<>();
        LeakDetection.setListener(leaks::add);
        LeakDetection.enable(1);
        try (Worker worker = new Worker()) {
            ExecutorService pool = ContextExecutors.wrap((ExecutorService) worker.raw);
            Context left = new Context().with(V, "left");
            Future<?> task = pool.submit(() -> Bridges.activate(left));
            assertThatThrownBy(() -> task.get(10, TimeUnit.SECONDS))
                    .hasStackTraceContaining("cannot exit context: " + left.toString().replace("not entered", "entered"))
                    .hasStackTraceContaining("is still entered; it was exited by force");
            assertThat(left.isEntered()).isFalse();
            worker.assertRestored("after an activation left entered");
            // the forced exit is the report; nothing else (no scope) was left to report
            assertThat(leaks).extracting(LeakDetection.Leak::kind).doesNotContain(LeakDetection.Kind.SCOPE_NOT_CLOSED);
        } finally {
            LeakDetection.disable();
            LeakDetection.setListener(null);
        }
    }
}
