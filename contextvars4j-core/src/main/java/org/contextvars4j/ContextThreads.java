package org.contextvars4j;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Threads that start in a context (P1, P3).
 *
 * <p>A thread created with {@code new Thread(...)}, {@code Thread.ofPlatform()} or
 * {@code Thread.ofVirtual()} starts with an empty context, whatever its parent had (P1, Python's
 * default); no {@code InheritableThreadLocal} is involved. This class gives a thread a context
 * explicitly.
 *
 * <h2>Capture when the thread is created</h2>
 * {@link #wrap(ThreadFactory)} captures the context current on the thread that calls
 * {@code newThread}, at that call, and runs the new thread's whole body in a copy of it. That is
 * the moment that carries meaning for thread-per-task use: {@code Thread.ofVirtual().factory()}
 * wrapped and given to {@code Executors.newThreadPerTaskExecutor} captures at {@code submit}
 * (the executor creates the thread then), and given to a {@code StructuredTaskScope} it captures
 * at {@code fork}, so each subtask inherits its parent's context the way a {@code ScopedValue}
 * binding is inherited.
 *
 * @apiNote Do not use a wrapped factory to give context to a thread <em>pool</em>: a pool
 * creates its threads lazily, from whichever task submission happens to need one, and the
 * worker would then run every later task in that submitter's copy. Wrap the pool with
 * {@link ContextExecutors} instead.
 */
public final class ContextThreads {

    private ContextThreads() {
    }

    /**
     * Wraps a thread factory so that each new thread runs in a copy of the context current on
     * the thread calling {@code newThread}, captured at that call (with the registered
     * {@link ThreadLocalAccessor} state). A {@code set} on the new thread does not reach the
     * creator. Thread properties (name, daemon, virtual or platform) are the delegate's.
     *
     * @param factory the factory that creates the threads, for example
     *        {@code Thread.ofVirtual().factory()}
     * @return the wrapping factory; it returns null when the delegate does
     * @throws NullPointerException if {@code factory} is null
     * @implNote One wrapper object per thread; the copy is O(1).
     */
    public static ThreadFactory wrap(ThreadFactory factory) {
        Objects.requireNonNull(factory, "factory");
        return new ThreadFactory() {
            @Override
            public Thread newThread(Runnable r) {
                return factory.newThread(Propagation.captureCurrent(r));
            }

            @Override
            public String toString() {
                return "ContextThreadFactory[" + factory + "]";
            }
        };
    }

    /**
     * Creates and starts a platform thread that runs {@code task} in {@code context} itself
     * (Python 3.14's {@code threading.Thread(target=task, context=context)}): sets inside are
     * visible through {@code context} afterwards. Pass {@code Context.copyCurrent()} to start
     * from a copy of the caller's context, or {@code new Context()} for an empty one.
     *
     * @param context the context to run in; it must not be entered anywhere when the thread
     *        starts running (S7)
     * @param task what to run
     * @return the started thread
     * @throws NullPointerException if {@code context} or {@code task} is null
     * @throws IllegalStateException if {@code context} is entered, on this or another thread, at
     *         this call (S7): no thread is created. (A context entered after this check, before
     *         the new thread runs, is refused on the new thread, as described for
     *         {@link #unstarted(Context, Runnable)}.)
     * @see #unstarted(Context, Runnable)
     */
    public static Thread start(Context context, Runnable task) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(task, "task");
        Thread owner = context.owner();
        if (owner != null) {
            throw new IllegalStateException("cannot start thread: " + context + " is already entered on thread "
                    + owner.getName());
        }
        Thread thread = unstarted(context, task);
        thread.start();
        return thread;
    }

    /**
     * Creates, without starting it, a platform thread that runs {@code task} in {@code context}
     * itself, as {@link #start(Context, Runnable)} does. If {@code context} is entered elsewhere
     * when the thread runs, the thread ends at once with the {@link IllegalStateException} of
     * S7 (to its uncaught-exception handler) and {@code task} does not run. Foreign thread-locals
     * registered with {@link ThreadLocalAccessors} are captured now, on the calling thread.
     *
     * @param context the context to run in
     * @param task what to run
     * @return the new, unstarted thread; set its name or daemon status before starting it
     * @throws NullPointerException if {@code context} or {@code task} is null
     */
    public static Thread unstarted(Context context, Runnable task) {
        return new Storage.OwnedThread(Propagation.inPlace(context, task));
    }
}
