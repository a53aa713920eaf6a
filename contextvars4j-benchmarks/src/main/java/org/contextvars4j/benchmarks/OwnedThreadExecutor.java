package org.contextvars4j.benchmarks;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JMH custom executor whose worker threads are {@link OwnedThread}s, a thread type that carries
 * a context in a field: the "library-owned thread" fast path that
 * {@code DesignSketchBenchmark.read_sketchThreadField} measures.
 * <pre>{@code
 * java -Djmh.executor=CUSTOM -Djmh.executor.class=org.contextvars4j.benchmarks.OwnedThreadExecutor \
 *      -jar contextvars4j-benchmarks/target/benchmarks.jar 'DesignSketchBenchmark.read_'
 * }</pre>
 */
public final class OwnedThreadExecutor extends ThreadPoolExecutor {

    /** A platform thread that holds its current context in a field, not in a {@code ThreadLocal}. */
    static final class OwnedThread extends Thread {
        DesignSketchBenchmark.FlatContext context;

        OwnedThread(Runnable task, String name) {
            super(task, name);
            setDaemon(true);
        }
    }

    /**
     * Creates the executor; JMH's contract for {@code jmh.executor.class}.
     *
     * @param maxThreads the number of JMH worker threads
     * @param prefix JMH's thread-name prefix
     */
    public OwnedThreadExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), new Factory(prefix));
    }

    private static final class Factory implements java.util.concurrent.ThreadFactory {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        Factory(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            return new OwnedThread(task, prefix + "-owned-" + count.incrementAndGet());
        }
    }
}
