package org.contextvars4j;

import java.util.concurrent.Callable;
import org.contextvars4j.internal.VarMap;

/** The {@link Callable} form of {@link ContextRunnable}: each call runs in a fresh context. */
final class ContextCallable<V> implements Callable<V> {

    private final Context source;
    private final VarMap map;
    private final Bridge bridge;
    private final Callable<V> task;

    ContextCallable(Context source, VarMap map, Bridge bridge, Callable<V> task) {
        this.source = source;
        this.map = map;
        this.bridge = bridge;
        this.task = task;
    }

    @Override
    public V call() throws Exception {
        Context c = Propagation.fresh(source, map);
        Propagation.Frame f = Propagation.enter(c, bridge, true, task);
        Throwable failure = null;
        try {
            return task.call();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(c, f, failure);
        }
    }

    @Override
    public String toString() {
        return "ContextCallable[" + task + "]";
    }
}
