package org.contextvars4j.benchmarks;

import java.lang.reflect.InvocationTargetException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs JMH's benchmark threads on virtual threads (JDK 21+), one new virtual thread per JMH
 * task (so, per iteration and worker):
 *
 * <pre>{@code
 * java -Djmh.executor=CUSTOM -Djmh.executor.class=org.contextvars4j.benchmarks.VirtualThreadExecutor \
 *      -jar contextvars4j-benchmarks/target/benchmarks.jar ReadBenchmark
 * }</pre>
 *
 * <p>JMH instantiates this class by reflection with {@code (int maxThreads, String prefix)}.
 * {@code Executors.newVirtualThreadPerTaskExecutor()} is looked up reflectively so that the
 * module still compiles with {@code --release 17}; on an older JVM the constructor fails with a
 * message saying so. (JMH 1.37 also has {@code -Djmh.executor=VIRTUAL}, a fixed pool of virtual
 * threads; this class exists so that each iteration starts on a fresh virtual thread, as a
 * virtual-thread-per-request server would.)
 */
public final class VirtualThreadExecutor implements ExecutorService {

    private final ExecutorService delegate;

    /**
     * Creates the executor; JMH's contract for {@code jmh.executor.class}.
     *
     * @param maxThreads the number of JMH worker threads (unused: one thread per task)
     * @param prefix JMH's thread-name prefix (unused: virtual threads are unnamed)
     */
    public VirtualThreadExecutor(int maxThreads, String prefix) {
        this.delegate = newVirtualThreadPerTaskExecutor();
    }

    /** {@return a virtual-thread-per-task executor, or throws when the JVM has none} */
    static ExecutorService newVirtualThreadPerTaskExecutor() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException("virtual threads need JDK 21 or newer; this JVM is "
                    + Runtime.version(), e);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot create a virtual-thread executor", e);
        }
    }

    /**
     * Fails when JMH was asked to use this executor but the calling benchmark thread is not
     * virtual, so a virtual-thread row can never silently measure a platform thread. Called by
     * every benchmark's per-iteration setup.
     */
    static void checkThreadKind() {
        if (!VirtualThreadExecutor.class.getName().equals(System.getProperty("jmh.executor.class"))) {
            return;
        }
        boolean virtual;
        try {
            virtual = (Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot tell whether " + Thread.currentThread() + " is virtual", e);
        }
        if (!virtual) {
            throw new IllegalStateException("expected a virtual benchmark thread, got " + Thread.currentThread());
        }
    }

    @Override
    public void execute(Runnable command) {
        delegate.execute(command);
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

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

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return delegate.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return delegate.submit(task, result);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return delegate.submit(task);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return delegate.invokeAll(tasks);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return delegate.invokeAll(tasks, timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return delegate.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return delegate.invokeAny(tasks, timeout, unit);
    }
}
