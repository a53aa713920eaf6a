package org.contextvars4j;

import org.contextvars4j.internal.VarMap;

/**
 * A runnable that runs its task in a captured context; see {@link Propagation}. Either
 * {@code source} is null and each run gets a fresh context over {@code map} (captured at
 * creation), or each run gets a fresh copy of {@code source} as it is then, or, when
 * {@code inPlace}, runs in {@code source} itself.
 */
final class ContextRunnable implements Runnable {

    private final Context source;
    private final VarMap map;
    private final Bridge bridge;
    private final Runnable task;
    private final boolean inPlace;

    ContextRunnable(Context source, VarMap map, Bridge bridge, Runnable task, boolean inPlace) {
        this.source = source;
        this.map = map;
        this.bridge = bridge;
        this.task = task;
        this.inPlace = inPlace;
    }

    @Override
    public void run() {
        Context c = inPlace ? source : Propagation.fresh(source, map);
        Propagation.Frame f = Propagation.enter(c, bridge, !inPlace, task);
        Throwable failure = null;
        try {
            task.run();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(c, f, failure);
        }
    }

    @Override
    public String toString() {
        return "ContextRunnable[" + task + "]";
    }
}
