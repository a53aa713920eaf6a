package org.contextvars4j.benchmarks;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.contextvars4j.Context;
import org.contextvars4j.ContextThreads;

/**
 * A JMH custom executor whose workers are threads the library creates itself
 * ({@code ContextThreads.unstarted(new Context(), task)}), which keep their current context in a
 * field instead of a {@code ThreadLocal}: the rows of SPEC §6's "at or below
 * {@code ThreadLocal.get()} on threads the library itself creates".
 * <pre>{@code
 * java -Djmh.executor=CUSTOM -Djmh.executor.class=org.contextvars4j.benchmarks.LibraryThreadExecutor \
 *      -jar contextvars4j-benchmarks/target/benchmarks.jar 'ReadBenchmark\.first_(ours|threadLocal)$'
 * }</pre>
 */
public final class LibraryThreadExecutor extends ThreadPoolExecutor {

    /**
     * Creates the executor; JMH's contract for {@code jmh.executor.class}.
     *
     * @param maxThreads the number of JMH worker threads
     * @param prefix JMH's thread-name prefix
     */
    public LibraryThreadExecutor(int maxThreads, String prefix) {
        this(maxThreads, prefix, new AtomicInteger());
    }

    private LibraryThreadExecutor(int maxThreads, String prefix, AtomicInteger count) {
        super(maxThreads, maxThreads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread t = ContextThreads.unstarted(new Context(), task);
            t.setName(prefix + "-library-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
