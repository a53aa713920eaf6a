package org.contextvars4j;

import java.util.concurrent.Executor;

/** {@link ContextExecutors#wrap(Executor)}: wraps each task at {@code execute}. */
final class ContextExecutor implements Executor {

    private final Executor delegate;
    /** The fixed context, or null: capture the submitter's current context. */
    private final Context fixed;

    ContextExecutor(Executor delegate, Context fixed) {
        this.delegate = delegate;
        this.fixed = fixed;
    }

    @Override
    public void execute(Runnable command) {
        delegate.execute(fixed == null ? Propagation.captureCurrent(command) : Propagation.copyOf(fixed, command));
    }

    @Override
    public String toString() {
        return "ContextExecutor[" + delegate + (fixed == null ? "" : ", fixed=" + fixed) + "]";
    }
}
