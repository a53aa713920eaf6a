package org.contextvars4j;

import org.contextvars4j.agent.bootstrap.ContextHook;

/**
 * The agent's hook into the core: compiled in the core's package, against its package-private
 * propagation machinery ({@link Propagation}), so that the agent's hand-offs are exactly the
 * explicit wrappers' (same capture, same enter and exit, same borrow, same bridged
 * thread-locals and leak detection).
 *
 * <p>Never loaded from the agent jar (its class file lives under {@code META-INF} there): the
 * agent defines it in the class loader of the core it finds, so this file changes nothing in the
 * core and the core does not depend on the agent.
 */
final class AgentContextHook extends ContextHook {

    /** A capture with bridged thread-locals; without any, the capture is the map itself. */
    private static final class Snapshot {
        final Object[] map;
        final Bridge bridge;

        Snapshot(Object[] map, Bridge bridge) {
            this.map = map;
            this.bridge = bridge;
        }
    }

    AgentContextHook() {
    }

    @Override
    public Object capture() {
        Bridge bridge = Bridge.capture();
        Object[] map = Storage.currentMap();
        return bridge == null ? map : new Snapshot(map, bridge);
    }

    @Override
    public Object enter(Object captured, Object task) {
        if (captured instanceof Object[] map) {
            return Propagation.enterCopy(map, null, task);
        }
        Snapshot s = (Snapshot) captured;
        return Propagation.enterCopy(s.map, s.bridge, task);
    }

    @Override
    public Object enterCopyOfCurrent(Object task) {
        return Propagation.enterCopyOfCurrent(task);
    }

    @Override
    public void exit(Object entry, Throwable failure) {
        Propagation.exit(entry, failure);
    }

    @Override
    public boolean isWrapped(Object task) {
        return task instanceof ContextRunnable || task instanceof ContextRunnable.OfContext
                || task instanceof ContextCallable || task instanceof ContextRecursiveTask<?>
                || task instanceof ContextRecursiveAction;
    }
}
