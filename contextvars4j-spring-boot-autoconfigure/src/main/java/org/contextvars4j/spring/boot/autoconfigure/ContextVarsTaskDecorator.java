package org.contextvars4j.spring.boot.autoconfigure;

import org.contextvars4j.Context;
import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;

/**
 * The {@link TaskDecorator} Boot applies to its task executors and schedulers: each task runs
 * in its own copy of the context current when it was submitted, with the registered foreign
 * thread-locals (the MDC, ...), and leaves the worker's context as it found it (P2, P6).
 *
 * <p>Boot composes every {@code TaskDecorator} bean of the application; this one has the lowest
 * precedence, so it is applied last and is the outermost wrapper: the application's own
 * decorators run inside the task's context.
 */
public final class ContextVarsTaskDecorator implements TaskDecorator, Ordered {

    private static final ContextVarsTaskDecorator INSTANCE = new ContextVarsTaskDecorator();

    private ContextVarsTaskDecorator() {
    }

    /** {@return the decorator; it holds no state, so there is one} */
    public static ContextVarsTaskDecorator create() {
        return INSTANCE;
    }

    /**
     * Wraps {@code runnable} so that it runs in a copy of the current context.
     *
     * @param runnable the task
     * @return the wrapped task
     */
    @Override
    public Runnable decorate(Runnable runnable) {
        return Context.copyCurrent().wrap(runnable);
    }

    /** {@return {@link Ordered#LOWEST_PRECEDENCE}: the outermost decorator} */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public String toString() {
        return "ContextVarsTaskDecorator";
    }
}
