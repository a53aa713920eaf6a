package org.contextvars4j;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link ContextExecutors#wrap(ExecutorService)}: wraps each task when it is handed over; every
 * lifecycle method delegates unchanged.
 */
class ContextExecutorService implements ExecutorService {

    final ExecutorService delegate;
    /** The fixed context, or null: capture the submitter's current context. */
    final Context fixed;

    ContextExecutorService(ExecutorService delegate, Context fixed) {
        this.delegate = delegate;
        this.fixed = fixed;
    }

    final Runnable wrap(Runnable task) {
        return fixed == null ? Propagation.captureCurrent(task) : Propagation.copyOf(fixed, task);
    }

    final <T> Callable<T> wrap(Callable<T> task) {
        return fixed == null ? Propagation.captureCurrent(task) : Propagation.copyOf(fixed, task);
    }

    private <T> List<Callable<T>> wrapAll(Collection<? extends Callable<T>> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        List<Callable<T>> wrapped = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            wrapped.add(wrap(task));
        }
        return wrapped;
    }

    @Override
    public void execute(Runnable command) {
        delegate.execute(wrap(command));
    }

    @Override
    public Future<?> submit(Runnable task) {
        return delegate.submit(wrap(task));
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return delegate.submit(wrap(task), result);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return delegate.submit(wrap(task));
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return delegate.invokeAll(wrapAll(tasks));
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return delegate.invokeAll(wrapAll(tasks), timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return delegate.invokeAny(wrapAll(tasks));
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return delegate.invokeAny(wrapAll(tasks), timeout, unit);
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    /**
     * {@inheritDoc} The returned tasks are the wrapped ones: running one later still runs it in
     * the context captured when it was submitted.
     */
    @Override
    public List<Runnable> shutdownNow() {
        return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }

    /**
     * Closes the wrapped service with its own {@code close()} (JDK 19+ declares it on
     * {@code ExecutorService}), so a service that overrides it keeps its behaviour: the
     * {@link java.util.concurrent.ForkJoinPool#commonPool() common pool}, which never terminates,
     * returns at once, where the inherited default would wait for its termination forever. Not an
     * {@code @Override}: the code compiles for Java 17, where the method does not exist; from
     * JDK 19 on it overrides {@code ExecutorService.close()}.
     */
    public void close() {
        if (delegate instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                // ExecutorService.close() declares no checked exception; a delegate's own
                // AutoCloseable.close() might
                throw new IllegalStateException("cannot close " + delegate, e);
            }
        }
        // Otherwise the runtime is Java 17 or 18, where ExecutorService has no close() and no
        // caller reaches this method through the interface: nothing to do.
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + (fixed == null ? "" : ", fixed=" + fixed) + "]";
    }
}
