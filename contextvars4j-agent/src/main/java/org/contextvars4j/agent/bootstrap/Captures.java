package org.contextvars4j.agent.bootstrap;

/**
 * Implemented by the agent on {@code ForkJoinTask} and {@code TimerTask}: a field that holds the
 * capture a task runs in. Not for application use.
 */
public interface Captures {

    /** {@return the capture the task runs in, or null} */
    Object contextvars4j$captured();

    /**
     * Sets the capture the task runs in.
     *
     * @param captured the capture, or null
     */
    void contextvars4j$captured(Object captured);
}
