package org.contextvars4j;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Executors that run every task in a copy of a context (P2, P5).
 *
 * <h2>Capture at submission</h2>
 * A task handed to an executor returned by {@link #wrap(Executor)}, {@link #wrap(ExecutorService)}
 * or {@link #wrap(ScheduledExecutorService)} runs in its own copy of the context that was current
 * on the submitting thread when it was handed over ({@code execute}, {@code submit},
 * {@code invokeAll}, {@code invokeAny}, {@code schedule*}), like an asyncio task. Its
 * {@code set}s stay in that copy: the submitter does not see them, nor do other tasks. Each run of
 * a periodic task gets a fresh copy of the submit-time context. Foreign thread-locals registered
 * with {@link ThreadLocalAccessors} are captured and restored at the same points (P6).
 * <pre>{@code
 * ExecutorService pool = ContextExecutors.wrap(Executors.newFixedThreadPool(4));
 * try (Token<String> t = REQUEST_ID.set("r-1")) {
 *     pool.submit(() -> log(REQUEST_ID.get()));   // logs "r-1" on the worker
 * }
 * }</pre>
 *
 * <h2>The worker is left clean</h2>
 * After every task, the worker thread's current context is exactly what it was before: after a
 * normal end, an exception, an error, a cancellation or an interruption (restoration runs in
 * {@code finally}; a task cancelled before it starts never touches the worker). A task that
 * leaves a scope of its own open has the contexts it left entered exited by force and fails with
 * {@link IllegalStateException}, as in {@link Context#run(Runnable)}; if it also threw, its own
 * exception is what the future reports, with that {@code IllegalStateException}
 * {@linkplain Throwable#getSuppressed() suppressed}. When a {@link ThreadLocalAccessor} fails
 * while the worker's own thread-local values are put back, the task's outcome is kept: a result
 * stays the result and the accessor's failure is logged at {@code ERROR} through
 * {@link System.Logger} (logger {@code org.contextvars4j.ThreadLocalAccessors}); an exception
 * stays the exception, with the accessor's failure suppressed.
 *
 * <h2>A fixed context</h2>
 * The {@code wrap(..., Context)} forms run every task in a fresh copy of one given context
 * instead, taken when the task starts; the submitter's context does not matter.
 *
 * <h2>Lifecycle</h2>
 * The wrappers hold no state of their own: lifecycle methods ({@code shutdown},
 * {@code shutdownNow}, {@code awaitTermination}, ...) delegate unchanged, and
 * {@code shutdownNow} returns the wrapped tasks. On JDK 19 and later, {@code close()} calls the
 * delegate's own {@code close()}, so closing {@link #commonPool()} or a wrapped common pool
 * returns at once and leaves the pool running, as {@code ForkJoinPool.commonPool().close()}
 * does. Wrappers are as thread-safe as their delegate.
 *
 * <p>Rule numbers in parentheses, such as (S7), refer to the
 * <a href="package-summary.html#rules">rules in the package overview</a>.
 *
 * <p>Unless otherwise specified, passing a null argument to a method of this class, or a null
 * task to a returned executor, throws {@link NullPointerException} naming the parameter.
 *
 * @implNote Per task: one wrapper object at submission (a map reference and the task; no
 * per-variable copy) and one small context per run, entered and left with two
 * {@code ThreadLocal} writes. A task run on the thread that submitted it, in the context it was
 * submitted from (a direct executor, a caller-runs rejection), runs in that context instead,
 * which behaves as the copy would, and allocates no context unless the task sets a var. With no
 * {@link ThreadLocalAccessor} registered and leak detection off, nothing else is allocated.
 */
public final class ContextExecutors {

    private static final class CommonPool {
        static final ExecutorService INSTANCE = new ContextExecutorService(ForkJoinPool.commonPool(), null);
    }

    private ContextExecutors() {
    }

    /**
     * Wraps an executor so that each task runs in a copy of the context current at
     * {@code execute}.
     *
     * @param executor the executor that runs the tasks
     * @return the wrapping executor
     */
    public static Executor wrap(Executor executor) {
        return new ContextExecutor(Objects.requireNonNull(executor, "executor"), null);
    }

    /**
     * Wraps an executor so that each task runs in a fresh copy of {@code context}, taken when the
     * task starts.
     *
     * @param executor the executor that runs the tasks
     * @param context the context every task runs a copy of
     * @return the wrapping executor
     */
    public static Executor wrap(Executor executor, Context context) {
        Objects.requireNonNull(executor, "executor");
        return new ContextExecutor(executor, Objects.requireNonNull(context, "context"));
    }

    /**
     * Wraps an executor service so that each task runs in a copy of the context current when it
     * is submitted. Every method is covered: {@code execute}, the three {@code submit} forms,
     * {@code invokeAll} and {@code invokeAny} with and without timeout (each task of the
     * collection captures the context current at the {@code invoke*} call); the lifecycle
     * methods delegate.
     *
     * @param executor the executor service that runs the tasks
     * @return the wrapping executor service
     */
    public static ExecutorService wrap(ExecutorService executor) {
        return new ContextExecutorService(Objects.requireNonNull(executor, "executor"), null);
    }

    /**
     * Wraps an executor service so that each task runs in a fresh copy of {@code context}, taken
     * when the task starts.
     *
     * @param executor the executor service that runs the tasks
     * @param context the context every task runs a copy of
     * @return the wrapping executor service
     */
    public static ExecutorService wrap(ExecutorService executor, Context context) {
        Objects.requireNonNull(executor, "executor");
        return new ContextExecutorService(executor, Objects.requireNonNull(context, "context"));
    }

    /**
     * Wraps a scheduled executor service: one-shot tasks run in a copy of the context current
     * when they were scheduled, and every run of a periodic task
     * ({@code scheduleAtFixedRate}, {@code scheduleWithFixedDelay}) in a fresh copy of it.
     *
     * @param executor the scheduled executor service that runs the tasks
     * @return the wrapping scheduled executor service
     */
    public static ScheduledExecutorService wrap(ScheduledExecutorService executor) {
        return new ContextScheduledExecutorService(Objects.requireNonNull(executor, "executor"), null);
    }

    /**
     * Wraps a scheduled executor service so that each task, and each run of a periodic task,
     * runs in a fresh copy of {@code context}, taken when the run starts.
     *
     * @param executor the scheduled executor service that runs the tasks
     * @param context the context every task runs a copy of
     * @return the wrapping scheduled executor service
     */
    public static ScheduledExecutorService wrap(ScheduledExecutorService executor, Context context) {
        Objects.requireNonNull(executor, "executor");
        return new ContextScheduledExecutorService(executor, Objects.requireNonNull(context, "context"));
    }

    /**
     * Wraps a {@link ForkJoinPool} as an executor service whose {@code Runnable} and
     * {@code Callable} tasks run in a copy of the context current at submission (P5), with the
     * same guarantees as {@link #wrap(ExecutorService)}.
     *
     * @apiNote Propagation covers the tasks handed to the wrapper. A plain
     * {@code RecursiveTask} or {@code RecursiveAction} that a running task {@code fork()}s goes
     * straight to the pool and runs in whatever context the worker that runs it has current: the
     * forking worker, when it runs the subtask itself (during {@code join()}, or because no other
     * worker stole it), runs it in the <em>forking task's</em> copy, so the subtask sees the
     * parent's values and a {@code set} it never resets is seen by the parent after
     * {@code join()}; another worker runs it in its own context (empty for a pool worker). For
     * fork/join code, extend {@link ContextRecursiveTask} or {@link ContextRecursiveAction}
     * instead: each captures the context when it is created and runs {@code compute()} in its own
     * copy, on whichever worker. Parallel streams run on pool workers too and do not carry the
     * context; run the work as a {@code ContextRecursiveTask}, or submit one task per chunk
     * through this wrapper, and combine the results.
     * @param pool the pool
     * @return the wrapping executor service
     */
    public static ExecutorService wrap(ForkJoinPool pool) {
        return new ContextExecutorService(Objects.requireNonNull(pool, "pool"), null);
    }

    /**
     * Returns the {@linkplain ForkJoinPool#commonPool() common pool}, wrapped as by
     * {@link #wrap(ForkJoinPool)}: the same object on every call. Shutting it down has no effect,
     * and {@code close()} returns at once, as for the common pool itself.
     *
     * @return the wrapped common pool
     */
    public static ExecutorService commonPool() {
        return CommonPool.INSTANCE;
    }
}
