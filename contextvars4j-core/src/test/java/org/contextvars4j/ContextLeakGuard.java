package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.contextvars4j.internal.VarMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The leak guard every test class registers with {@code @ExtendWith(ContextLeakGuard.class)}:
 * after each test, the test thread's current context must be exactly what it was before the test
 * (the same context object, with the same contents, entered or not as before). A test that sets a
 * var on the thread's base context and does not reset it, or leaves a scope open, fails here.
 *
 * <p>Tests that run work on other threads check those threads themselves with
 * {@link #assertThreadClean(String)}.
 *
 * <p>A property test runs many tries inside one test method, so the property runner
 * ({@code org.contextvars4j.proptest.Property}) also checks every try on its own with
 * {@link #guardTry(Runnable)}: a leak fails the try that caused it, and that try is shrunk like any
 * other failure. It is public so that the runner and the property tests of
 * {@code org.contextvars4j.internal} can use it.
 */
@SuppressWarnings("exports")   // test-only class in the patched module; JUnit is on the class path
public final class ContextLeakGuard implements BeforeEachCallback, AfterEachCallback {

    /** Instantiated by JUnit. */
    public ContextLeakGuard() {
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ContextLeakGuard.class);

    private record Snapshot(Context current, Object[] map, boolean entered) {
        static Snapshot take() {
            Context c = Storage.currentOrNull();
            return new Snapshot(c, c == null ? VarMap.EMPTY : c.map(), c != null && c.isEntered());
        }

        /** Makes the context current again, with its values (not its entered state: a scope owns that). */
        void restore() {
            if (Storage.currentOrNull() != current) {
                Storage.setCurrent(current);
            }
            if (current != null && current.map() != map) {
                current.setMap(map);
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("before", Snapshot.take());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertUnchangedSince(context.getStore(NS).get("before", Snapshot.class));
    }

    /**
     * Runs one try of a property, then checks, as after each test, that the calling thread's
     * current context is exactly what it was before. What {@code aTry} throws propagates. Either
     * way the thread's current context and its values are then put back as they were, so that a
     * leak fails only the try that caused it and never the tries (or shrinking replays) after it.
     *
     * @param aTry the try
     * @throws AssertionError when the try left the thread's context changed
     */
    public static void guardTry(Runnable aTry) {
        Snapshot before = Snapshot.take();
        try {
            aTry.run();
            assertUnchangedSince(before);
        } finally {
            before.restore();
        }
    }

    private static void assertUnchangedSince(Snapshot before) {
        Snapshot after = Snapshot.take();
        String thread = Thread.currentThread().getName();
        assertThat(after.current() == before.current() || (before.current() == null && after.current() != null
                && !after.entered() && VarMap.size(after.map()) == 0))
                .as("test left another context current on %s: %s (before: %s)", thread, after.current(), before.current())
                .isTrue();
        assertThat(after.entered()).as("entered state of the current context on %s", thread).isEqualTo(before.entered());
        assertThat(sameContents(before.map(), after.map()))
                .as("test left values in the current context of %s: %s", thread, after.current())
                .isTrue();
    }

    private static boolean sameContents(Object[] a, Object[] b) {
        if (a == b) {
            return true;
        }
        if (VarMap.size(a) != VarMap.size(b)) {
            return false;
        }
        boolean[] same = {true};
        VarMap.forEach(a, (k, v) -> same[0] &= VarMap.get(b, ((ContextVar<?>) k).id, same) == v);
        return same[0];
    }

    /**
     * Asserts that the calling thread has no entered context and no values in its base context.
     * Call it on pool workers (for example through a task submitted after the one under test).
     *
     * @param where a label for the failure message
     */
    static void assertThreadClean(String where) {
        Context c = Storage.currentOrNull();
        if (c != null) {
            assertThat(c.isEntered()).as("%s: %s still has a context entered: %s", where,
                    Thread.currentThread().getName(), c).isFalse();
            assertThat(c.isEmpty()).as("%s: %s has values left in its base context: %s", where,
                    Thread.currentThread().getName(), c).isTrue();
        }
    }

    /**
     * Runs {@link #assertThreadClean} on each of the {@code threads} workers of a fixed-size pool:
     * the checks wait for each other at a barrier, so every worker runs exactly one.
     *
     * @param pool the pool, with exactly {@code threads} threads and no other work in flight
     * @param threads the pool's size
     * @throws Exception when a check fails (wrapped in an {@code ExecutionException}) or times out
     */
    static void assertPoolClean(ExecutorService pool, int threads) throws Exception {
        CyclicBarrier all = new CyclicBarrier(threads);
        Callable<Object> check = () -> {
            all.await(10, TimeUnit.SECONDS);
            assertThreadClean("pool worker");
            return null;
        };
        List<Future<Object>> checks = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            checks.add(pool.submit(check));
        }
        for (Future<Object> f : checks) {
            f.get(20, TimeUnit.SECONDS);
        }
    }

    /**
     * Runs {@code body} on a new thread (which starts with no context, P1), then checks that thread
     * with {@link #assertThreadClean}; waits for it and rethrows what it threw as an
     * {@code AssertionError}.
     *
     * @param where a label for failure messages
     * @param body what to run on the new thread
     * @throws InterruptedException if interrupted while waiting
     */
    static void runOnNewThread(String where, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                body.run();
                assertThreadClean(where);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        thread.start();
        thread.join(20_000);
        assertThat(thread.isAlive()).as("%s: thread still running", where).isFalse();
        if (failure.get() != null) {
            throw new AssertionError(where + " failed on " + thread.getName(), failure.get());
        }
    }

    /** {@return whether the calling thread has no entered context and no values in its base context} */
    static boolean isThreadClean() {
        Context c = Storage.currentOrNull();
        return c == null || (!c.isEntered() && c.isEmpty());
    }
}
