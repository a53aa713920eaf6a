package org.contextvars4j;

/**
 * A context made current by {@link Context#enter()}, until {@link #close()}.
 *
 * <p>Scopes nest: close them on the thread that opened them, innermost first, once (S8). A
 * try-with-resources block does all three.
 */
public final class Scope implements AutoCloseable {

    private final Context context;
    private final Thread thread;
    private boolean closed;

    Scope(Context context, Thread thread) {
        this.context = context;
        this.thread = thread;
    }

    /**
     * Leaves the context and makes the context that was current before {@code enter()} current
     * again. Refused calls change nothing.
     *
     * @throws IllegalStateException if called on another thread than the one that entered, if the
     *         scope's context is not the current context (an inner scope is still open), or if the
     *         scope was already closed, or its context was exited by force when an enclosing
     *         {@code run} or {@code call} ended (a later entry of the context is not touched)
     */
    @Override
    public void close() {
        Thread caller = Thread.currentThread();
        if (caller != thread) {
            throw new IllegalStateException("cannot exit context: " + this + " was entered on thread "
                    + thread.getName() + ", not on thread " + caller.getName());
        }
        if (closed) {
            throw new IllegalStateException("cannot exit context: " + this + " is already closed");
        }
        if (context.scope != this) {
            throw new IllegalStateException("cannot exit context: " + this
                    + " was exited by force when the run or call around it ended");
        }
        // context.covered: a context entered on top is still entered (exact for a context entered
        // on this thread, see Context.covered). context.borrowed: a hand-off runs in it in place
        // of a copy (see Propagation); with a real copy this context would not be current, so
        // neither is it here.
        if (context.covered || context.borrowed) {
            throw new IllegalStateException("cannot exit context: " + this
                    + " is not the current context; close inner scopes first");
        }
        closed = true;
        context.exit(null);
    }

    /** {@return whether this scope was closed} */
    public boolean isClosed() {
        return closed;
    }

    /** {@return a description of the scope's context, its thread and its state} */
    @Override
    public String toString() {
        return "Scope[" + context + ", thread=" + thread.getName() + ", " + (closed ? "closed" : "open") + "]";
    }
}
