package org.contextvars4j;

import java.util.concurrent.Callable;
import org.contextvars4j.internal.VarMap;

/** The {@link Callable} form of {@link ContextRunnable}: each call runs in a fresh context. */
final class ContextCallable<V> implements Callable<V> {

    private final Context source;
    private final Object[] map;
    private final Bridge bridge;
    private final Callable<V> task;

    ContextCallable(Context source, Object[] map, Bridge bridge, Callable<V> task) {
        this.source = source;
        this.map = map;
        this.bridge = bridge;
        this.task = task;
    }

    @Override
    public V call() throws Exception {
        Object entry = source == null ? Propagation.enterCopy(map, bridge, task)
                : Propagation.enter(new Context(source.map()), bridge, true, task);
        Throwable failure = null;
        try {
            return task.call();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
    }

    @Override
    public String toString() {
        return "ContextCallable[" + task + "]";
    }
}
