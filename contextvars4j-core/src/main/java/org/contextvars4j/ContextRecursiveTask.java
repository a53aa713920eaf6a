package org.contextvars4j;

import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveTask;
import org.contextvars4j.internal.VarMap;

/**
 * A {@link RecursiveTask} counterpart whose {@link #compute()} runs in its own copy of the context
 * that was current when the task was <em>created</em> (P5): the fork/join form of an asyncio task.
 *
 * <p>Extend it instead of {@code RecursiveTask} and write {@code compute()} as usual. A subtask
 * created inside {@code compute()} captures the parent's copy at that point, so it sees the
 * parent's values whichever worker runs it: the forking worker itself (during {@code join()}, or
 * because nobody stole it) or another one. Its {@code set}s stay in its own copy: after
 * {@code join()} the parent still reads its own values, and the worker's context is as it was.
 * <pre>{@code
 * class Sum extends ContextRecursiveTask<Long> {
 *     final int from, to;
 *     Sum(int from, int to) { this.from = from; this.to = to; }
 *
 *     protected Long compute() {
 *         if (to - from <= 1_000) {
 *             return LongStream.range(from, to).map(i -> i * FACTOR.get()).sum();
 *         }
 *         int mid = (from + to) >>> 1;
 *         Sum left = new Sum(from, mid);     // captures the current copy, with FACTOR
 *         left.fork();
 *         return new Sum(mid, to).compute() + left.join();
 *     }
 * }
 * try (Token<Long> t = FACTOR.set(3L)) {
 *     long total = pool.invoke(new Sum(0, 1_000_000));   // every leaf sees FACTOR = 3
 * }
 * }</pre>
 *
 * <p>A plain {@code RecursiveTask} forked from a task does not get this: it runs in whatever
 * context the worker that runs it has current (see {@link ContextExecutors#wrap(java.util.concurrent.ForkJoinPool)}).
 * Foreign thread-locals registered with {@link ThreadLocalAccessors} are captured at creation too
 * (P6).
 *
 * @param <V> the result type
 * @implNote Creating a task captures the current map (O(1)); each {@code compute()} allocates
 * one small context, except on a thread whose current context already holds that map (a task
 * joined in place), where it allocates nothing until it sets a var. Running {@code compute()} directly (not through {@code fork}, {@code invoke}
 * or a pool) runs it in the caller's context, as for any method call.
 */
public abstract class ContextRecursiveTask<V> extends ForkJoinTask<V> {

    private static final long serialVersionUID = 1L;

    /** The context captured at creation; not serialized (a deserialized task starts empty). */
    private final transient Object[] map;
    private final transient Bridge bridge;
    /** The result of {@link #compute()}, once it returned. */
    @SuppressWarnings("serial")   // as in RecursiveTask: the result's type is the user's
    private V result;

    /** Creates a task that captures the context current on the calling thread now. */
    protected ContextRecursiveTask() {
        this.map = Storage.currentMap();
        this.bridge = Bridge.capture();
    }

    /**
     * The task's work, run in a fresh copy of the context captured when this task was created.
     *
     * @return the result
     */
    protected abstract V compute();

    /** {@inheritDoc} */
    @Override
    public final V getRawResult() {
        return result;
    }

    /** {@inheritDoc} */
    @Override
    protected final void setRawResult(V value) {
        result = value;
    }

    /**
     * Runs {@link #compute()} in a fresh copy of the captured context.
     *
     * @return true: the task completed normally
     */
    @Override
    protected final boolean exec() {
        Object entry = Propagation.enterCopy(map == null ? VarMap.EMPTY : map, bridge, this);
        Throwable failure = null;
        try {
            result = compute();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
        return true;
    }
}
