package org.contextvars4j;

import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import org.contextvars4j.internal.VarMap;

/**
 * A {@link RecursiveAction} counterpart whose {@link #compute()} runs in its own copy of the
 * context that was current when the action was <em>created</em> (P5); the resultless form of
 * {@link ContextRecursiveTask}, with the same rules: a subtask created in {@code compute()} sees
 * the parent's values on whichever worker runs it, and its {@code set}s never reach the parent.
 *
 * @implNote Creating an action captures the current map (O(1)); each {@code compute()}
 * allocates one small context, except on a thread whose current context already holds that map
 * (an action joined in place), where it allocates nothing until it sets a var.
 */
public abstract class ContextRecursiveAction extends ForkJoinTask<Void> {

    private static final long serialVersionUID = 1L;

    /** The context captured at creation; not serialized (a deserialized action starts empty). */
    private final transient Object[] map;
    private final transient Bridge bridge;

    /** Creates an action that captures the context current on the calling thread now. */
    protected ContextRecursiveAction() {
        this.map = Storage.currentMap();
        this.bridge = Bridge.capture();
    }

    /** The action's work, run in a fresh copy of the context captured when it was created. */
    protected abstract void compute();

    /** {@return null: an action has no result} */
    @Override
    public final Void getRawResult() {
        return null;
    }

    /** Does nothing: an action has no result. */
    @Override
    protected final void setRawResult(Void mustBeNull) {
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
            compute();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
        return true;
    }
}
