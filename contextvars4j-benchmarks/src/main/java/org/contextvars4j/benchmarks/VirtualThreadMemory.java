package org.contextvars4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;

/**
 * Memory per parked virtual thread (JDK 21+): starts {@code n} virtual threads that each make
 * one value current, read it, and park; measures the heap in use (after GC) while all of them
 * are parked, and prints bytes per thread. Not a JMH benchmark: JMH measures time, this is one
 * heap measurement per JVM.
 *
 * <pre>{@code
 * for m in none threadLocal ours otel; do
 *   java -Xms4g -Xmx4g -cp contextvars4j-benchmarks/target/benchmarks.jar \
 *        org.contextvars4j.benchmarks.VirtualThreadMemory $m 200000
 * done
 * }</pre>
 *
 * <p>Modes: {@code none} (the thread parks and does nothing else: the baseline),
 * {@code threadLocal} ({@code set}, {@code get}, park, {@code remove}), {@code ours}
 * ({@code try (Token t = var.set(v)) { var.get(); park }}), {@code otel}
 * ({@code try (Scope s = current().with(k, v).makeCurrent()) { current().get(k); park }}). Every
 * thread stores the same value object, so the figures are the storage's own cost. Run one mode
 * per JVM; subtract the {@code none} figure to get the cost of the value. On JDK 25,
 * {@code ScopedValueMemory} measures a {@code ScopedValue} binding the same way.
 */
public final class VirtualThreadMemory {

    /** The value every thread stores: one shared object, so only the storage is counted. */
    static final Object VALUE = "value";
    private static final ContextVar<Object> VAR = ContextVar.of("memory");
    private static final ThreadLocal<Object> LOCAL = new ThreadLocal<>();
    private static final io.opentelemetry.context.ContextKey<Object> KEY =
            io.opentelemetry.context.ContextKey.named("memory");

    /** What each thread does before it parks. */
    private enum Mode {
        NONE("none") {
            @Override
            void holdAndPark(Runnable park) {
                park.run();
            }
        },
        THREAD_LOCAL("threadLocal") {
            @Override
            void holdAndPark(Runnable park) {
                LOCAL.set(VALUE);
                check(LOCAL.get());
                park.run();
                LOCAL.remove();
            }
        },
        OURS("ours") {
            @Override
            void holdAndPark(Runnable park) {
                try (Token<Object> t = VAR.set(VALUE)) {
                    check(VAR.get());
                    park.run();
                }
            }
        },
        OTEL("otel") {
            @Override
            void holdAndPark(Runnable park) {
                try (io.opentelemetry.context.Scope s =
                        io.opentelemetry.context.Context.current().with(KEY, VALUE).makeCurrent()) {
                    check(io.opentelemetry.context.Context.current().get(KEY));
                    park.run();
                }
            }
        };

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        abstract void holdAndPark(Runnable park);

        static Mode of(String label) {
            for (Mode m : values()) {
                if (m.label.equals(label)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("mode must be none, threadLocal, ours or otel: " + label);
        }
    }

    private VirtualThreadMemory() {
    }

    /**
     * Runs one mode.
     *
     * @param args mode ({@code none}, {@code threadLocal}, {@code ours}, {@code otel}) and the
     *     number of threads (default 200,000)
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    public static void main(String[] args) throws InterruptedException {
        Mode mode = Mode.of(args.length > 0 ? args[0] : "ours");
        measure(mode.label, args.length > 1 ? Integer.parseInt(args[1]) : 200_000, mode::holdAndPark);
    }

    /**
     * Measures one way of holding a value: prints the heap per parked virtual thread.
     *
     * @param label the name printed with the figure
     * @param n how many virtual threads to park
     * @param holdAndPark makes a value current, reads it, and runs its argument (which parks)
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    static void measure(String label, int n, Consumer<Runnable> holdAndPark) throws InterruptedException {
        // A first round, thrown away, lets the JIT compile the threads' code: a parked virtual
        // thread keeps its frames on the heap, and interpreted frames are larger than compiled
        // ones, so without it the figure depends on when each mode's code got compiled.
        parkAll(holdAndPark, Math.min(n, 50_000));
        long[] heap = parkAll(holdAndPark, n);
        System.out.printf("%s: %d virtual threads, %.0f bytes per parked thread (heap used %d -> %d)%n",
                label, n, (heap[1] - heap[0]) / (double) n, heap[0], heap[1]);
    }

    /** Parks {@code n} virtual threads; returns heap used before and while they are parked. */
    private static long[] parkAll(Consumer<Runnable> holdAndPark, int n) throws InterruptedException {
        CountDownLatch parked = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        Runnable park = () -> {
            parked.countDown();
            awaitQuietly(release);
        };
        long before = usedAfterGc();
        ExecutorService threads = VirtualThreadExecutor.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < n; i++) {
            threads.execute(() -> holdAndPark.accept(park));
        }
        if (!parked.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("threads did not park in time: " + parked.getCount() + " left");
        }
        long during = usedAfterGc();
        release.countDown();
        threads.shutdown();
        if (!threads.awaitTermination(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("threads did not finish");
        }
        return new long[] {before, during};
    }

    static void check(Object read) {
        if (read != VALUE) {
            throw new IllegalStateException("read back " + read);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
