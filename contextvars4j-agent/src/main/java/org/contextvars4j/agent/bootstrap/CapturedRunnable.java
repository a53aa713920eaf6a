package org.contextvars4j.agent.bootstrap;

/**
 * A runnable the agent handed to an executor in place of the application's: it runs the original
 * in a fresh copy of the context captured at submission. Not for application use.
 *
 * <p>The enter / try / finally exit lines are the core wrappers' ({@code ContextRunnable}),
 * written out again on purpose, as there: a shared helper taking the task as a lambda would make
 * the task's call site megamorphic (see the core's {@code Propagation}).
 */
public final class CapturedRunnable implements Runnable {

    final Runnable task;
    private final Object captured;

    CapturedRunnable(Runnable task, Object captured) {
        this.task = task;
        this.captured = captured;
    }

    @Override
    public void run() {
        Object entry = AgentBridge.enter(captured, task);
        Throwable failure = null;
        try {
            task.run();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            AgentBridge.exit(entry, failure);
        }
    }

    /** {@return the application's runnable} */
    public Runnable task() {
        return task;
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
