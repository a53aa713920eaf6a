package org.contextvars4j.agent.bootstrap;

import java.util.concurrent.Callable;

/**
 * A callable the agent put in a {@code FutureTask} in place of the application's: it calls the
 * original in a fresh copy of the context captured when the task was created. Not for
 * application use.
 *
 * @param <V> the result type
 */
public final class CapturedCallable<V> implements Callable<V> {

    private final Callable<V> task;
    private final Object captured;

    CapturedCallable(Callable<V> task, Object captured) {
        this.task = task;
        this.captured = captured;
    }

    @Override
    public V call() throws Exception {
        Object entry = AgentBridge.enter(captured, task);
        Throwable failure = null;
        try {
            return task.call();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            AgentBridge.exit(entry, failure);
        }
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
