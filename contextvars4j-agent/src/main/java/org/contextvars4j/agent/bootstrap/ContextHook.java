package org.contextvars4j.agent.bootstrap;

/**
 * What the instrumented JDK code asks of contextvars4j: capture the current context, and run a
 * piece of work in a fresh copy of a capture. The agent defines the one implementation in the
 * class loader of the contextvars4j core it finds (the JDK classes cannot see that loader), and
 * publishes it through {@link AgentBridge}. Not for application use.
 */
public abstract class ContextHook {

    /** For the one implementation, defined by the agent. */
    protected ContextHook() {
    }

    /** {@return an opaque capture of the calling thread's current context and bridged thread-locals} */
    public abstract Object capture();

    /**
     * Enters a fresh copy of {@code captured} on the calling thread.
     *
     * @param captured a result of {@link #capture()}
     * @param task the work about to run, named in leak reports
     * @return what to pass to {@link #exit}
     */
    public abstract Object enter(Object captured, Object task);

    /**
     * Enters a fresh copy of the calling thread's current context: the same as
     * {@code enter(capture(), task)}, without building the capture (a borrow of the current
     * context, in the common case).
     *
     * @param task the work about to run, named in leak reports
     * @return what to pass to {@link #exit}
     */
    public abstract Object enterCopyOfCurrent(Object task);

    /**
     * Leaves what {@link #enter} entered: the thread's context is what it was before.
     *
     * @param entry the result of {@link #enter}
     * @param failure what the work threw, or null
     */
    public abstract void exit(Object entry, Throwable failure);

    /**
     * Tells whether a task is already one of the core's own wrappers, so it is not wrapped twice.
     *
     * @param task the task
     * @return whether {@code task} carries its own capture
     */
    public abstract boolean isWrapped(Object task);
}
