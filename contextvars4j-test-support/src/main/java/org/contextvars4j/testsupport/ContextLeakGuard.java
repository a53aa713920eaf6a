package org.contextvars4j.testsupport;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The leak guard every integration test class registers with
 * {@code @ExtendWith(ContextLeakGuard.class)}: after each test, the test thread's current context
 * must hold exactly the variables and values it held before the test (compared by identity). A
 * test that sets a var and does not reset it, or leaves a scope open over a context with values,
 * fails here.
 *
 * <p>Work that ran on other threads is checked with {@link #assertThreadClean(String)},
 * {@link #assertPoolClean(ExecutorService, int)} and {@link #runOnNewThread(String, Runnable)}.
 * Only the public API of the core is used, so the guard sees what a user could see: the
 * contents of the current context.
 */
public final class ContextLeakGuard implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ContextLeakGuard.class);

    /** Instantiated by JUnit. */
    public ContextLeakGuard() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("before", Context.copyCurrent());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Context before = context.getStore(NS).get("before", Context.class);
        String diff = difference(before, Context.copyCurrent());
        if (diff != null) {
            throw new AssertionError("test left the current context of " + Thread.currentThread().getName()
                    + " changed: " + diff);
        }
    }

    /**
     * Asserts that the calling thread's current context is empty. Call it on pool workers (for
     * example through a task submitted after the ones under test) and on container threads.
     *
     * @param where a label for the failure message
     * @throws AssertionError if the current context holds any variable
     */
    public static void assertThreadClean(String where) {
        Context current = Context.copyCurrent();
        if (!current.isEmpty()) {
            throw new AssertionError(where + ": " + Thread.currentThread().getName()
                    + " has values left in its current context: " + describe(current));
        }
    }

    /** {@return whether the calling thread's current context is empty} */
    public static boolean isThreadClean() {
        return Context.copyCurrent().isEmpty();
    }

    /**
     * Runs {@link #assertThreadClean} on each of the {@code threads} workers of a fixed-size pool.
     * The checks wait for each other at a barrier, so every worker runs exactly one.
     *
     * @param pool the pool (unwrapped, so that the probe sees the worker's own context), with
     *        exactly {@code threads} threads and no other work in flight
     * @param threads the pool's size
     * @throws Exception when a check fails (wrapped in an {@code ExecutionException}) or times out
     */
    public static void assertPoolClean(ExecutorService pool, int threads) throws Exception {
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
     * Runs {@code body} on a new thread (which starts with an empty context), then checks that
     * thread with {@link #assertThreadClean}; waits for it and rethrows what it threw as an
     * {@code AssertionError}.
     *
     * @param where a label for failure messages
     * @param body what to run on the new thread
     * @throws InterruptedException if interrupted while waiting
     */
    public static void runOnNewThread(String where, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                body.run();
                assertThreadClean(where);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "leak-guard-" + where);
        thread.start();
        thread.join(20_000);
        if (thread.isAlive()) {
            throw new AssertionError(where + ": thread still running after 20 s");
        }
        if (failure.get() != null) {
            throw new AssertionError(where + " failed on " + thread.getName(), failure.get());
        }
    }

    /** {@return a sentence saying how {@code after} differs from {@code before}, or null when it does not} */
    private static String difference(Context before, Context after) {
        Set<ContextVar<?>> keys = before.keySet();
        if (!keys.equals(after.keySet())) {
            return "before " + describe(before) + ", after " + describe(after);
        }
        for (ContextVar<?> var : keys) {
            if (before.get(var) != after.get(var)) {
                return var + " was " + before.get(var) + ", now " + after.get(var);
            }
        }
        return null;
    }

    private static String describe(Context context) {
        StringBuilder sb = new StringBuilder("{");
        Iterator<ContextVar<?>> it = context.keySet().iterator();
        while (it.hasNext()) {
            ContextVar<?> var = it.next();
            sb.append(var.name()).append('=').append(context.get(var));
            if (it.hasNext()) {
                sb.append(", ");
            }
        }
        return sb.append('}').toString();
    }

    /**
     * Checks S11 for a bridge that keeps an answer per thread: one unwrapped task on
     * {@code worker} sets a 1 MiB value in the worker's own context, runs {@code readWhileSet}
     * (which makes the bridge keep its answer), and resets; afterwards the value must become
     * unreachable, so the pooled thread keeps nothing of the finished task.
     *
     * @param worker a pool whose threads outlive the task
     * @param readWhileSet the bridge's read, run while the value is set
     * @throws AssertionError when the value is still reachable after repeated collections
     * @throws Exception when the task fails or does not finish in 10 seconds
     */
    public static void assertWorkerKeepsNoFinishedValue(ExecutorService worker, Runnable readWhileSet) throws Exception {
        AtomicReference<WeakReference<Object>> value = new AtomicReference<>();
        worker.submit(() -> {
            Object big = new byte[1 << 20];
            value.set(new WeakReference<>(big));
            ContextVar<Object> var = ContextVar.of("payload");
            Token<Object> token = var.set(big);
            try {
                readWhileSet.run();
            } finally {
                var.reset(token);
            }
            return null;
        }).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 50 && value.get().get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        if (value.get().get() != null) {
            throw new AssertionError("the finished task's value is still kept by the worker thread");
        }
    }
}
