package org.contextvars4j.benchmarks;

import com.alibaba.ttl.TtlRunnable;
import com.alibaba.ttl.threadpool.TtlExecutors;
import io.micrometer.context.ContextExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.contextvars4j.Context;
import org.contextvars4j.ContextExecutors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Handing work to another thread in the submitter's context, with {@code nVars} values in each
 * store.
 *
 * <p>Rows ({@code <operation>_<implementation>}):
 * <ul>
 *   <li>{@code wrapRun}: wrap a task for the current context, let the wrapper escape (it is
 *       stored in a field, as a queue would hold it, so escape analysis cannot remove it), run
 *       it on this thread. {@code unwrapped} stores and runs the task itself. Equivalents:
 *       OpenTelemetry and gRPC {@code Context.current().wrap(task)}, TransmittableThreadLocal
 *       {@code TtlRunnable.get(task)}, Micrometer {@code factory.captureAll().wrap(task)} (one
 *       accessor).
 *   <li>{@code hop}: {@code submit(task).get()} on a one-worker pool: the whole round trip
 *       (capture, enqueue, wake the worker, restore on the worker, run, restore, complete,
 *       wake the caller). {@code unwrapped} submits to the pool itself. Equivalents: OpenTelemetry
 *       {@code Context.taskWrapping(pool)}, TTL {@code TtlExecutors.getTtlExecutorService(pool)},
 *       Micrometer {@code ContextExecutorService.wrap(pool, factory)}, gRPC
 *       {@code Context.currentContextExecutor(pool)} (an {@code Executor} only, so its row
 *       executes a {@code FutureTask} and waits for it: what {@code submit} does).
 *   <li>{@code chain5}: a {@code CompletableFuture} of five async stages
 *       ({@code supplyAsync} and four {@code thenApplyAsync}) on the pool, joined: five hops.
 *       Every implementation passes its executor wrapper from the {@code hop} rows as the
 *       stages' executor (gRPC's {@code currentContextExecutor}; the others' wrapped services).
 *       Until the library's own {@code CompletableFuture} support (SPEC P4) lands, ours is its
 *       executor wrapper too.
 * </ul>
 * {@code pool}: {@code tpe} is a {@code ThreadPoolExecutor} with one worker; {@code fjp} a
 * {@code ForkJoinPool} of parallelism 1; {@code virtual} a virtual-thread-per-task executor
 * (JDK 21+).
 *
 * <p>Ours is reached through {@link #wrapOurs} ({@code Context.copyCurrent().wrap(task)}) and
 * {@link #wrapOursExecutor} ({@code ContextExecutors.wrap(pool)}).
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar HandOffBenchmark -prof gc
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar HandOffBenchmark.hop -p pool=tpe,fjp,virtual
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class HandOffBenchmark {

    /** How many values each store holds. */
    @Param({"4"})
    public int nVars;

    /** Which pool the hop goes through. */
    @Param({"tpe"})
    public String pool;

    private final Runnable task = new Counter();

    /** Where escaping wrappers go. */
    private Runnable escaped;

    private ExecutorService unwrapped;
    private ExecutorService ours;
    private ExecutorService otel;
    private Executor grpc;
    private ExecutorService ttl;
    private ExecutorService micrometer;
    private Fixtures.Installed installed;

    private static final Supplier<Integer> ZERO = () -> 0;
    private static final Function<Integer, Integer> NEXT = x -> x + 1;

    /** A task with a side effect the JIT cannot drop; runs on one thread at a time. */
    private static final class Counter implements Runnable {
        private int count;

        @Override
        public void run() {
            count++;
        }
    }

    // ---- the two places our API is called ----

    /** Ours: the public API's wrap of the current context (a fresh copy per run). */
    private static Runnable wrapOurs(Runnable task) {
        return Context.copyCurrent().wrap(task);
    }

    /** Ours: the executor wrapper (capture at submit, fresh copy per task, worker restored). */
    private static ExecutorService wrapOursExecutor(ExecutorService pool) {
        return ContextExecutors.wrap(pool);
    }

    /** Creates the pool and every wrapper around it. */
    @Setup(Level.Trial)
    public void createPools() {
        switch (pool) {
            case "tpe":
                unwrapped = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
                break;
            case "fjp":
                unwrapped = new ForkJoinPool(1);
                break;
            case "virtual":
                unwrapped = VirtualThreadExecutor.newVirtualThreadPerTaskExecutor();
                break;
            default:
                throw new IllegalArgumentException("pool must be tpe, fjp or virtual: " + pool);
        }
        ours = wrapOursExecutor(unwrapped);
        otel = io.opentelemetry.context.Context.taskWrapping(unwrapped);
        grpc = io.grpc.Context.currentContextExecutor(unwrapped);
        ttl = TtlExecutors.getTtlExecutorService(unwrapped);
        micrometer = ContextExecutorService.wrap(unwrapped, Fixtures.MICROMETER);
    }

    /** Shuts the pool down. */
    @TearDown(Level.Trial)
    public void shutdownPools() throws InterruptedException {
        unwrapped.shutdown();
        if (!unwrapped.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pool did not terminate: " + unwrapped);
        }
    }

    /** Installs {@code nVars} values in every store on this iteration's thread. */
    @Setup(Level.Iteration)
    public void install() {
        installed = new Fixtures.Installed(nVars);
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        installed.close();
    }

    // ---- wrap + run, wrapper escaping ----

    private Runnable escapeAndRun(Runnable wrapper) {
        escaped = wrapper;
        wrapper.run();
        return wrapper;
    }

    @Benchmark
    public Object wrapRun_unwrapped() {
        return escapeAndRun(task);
    }

    @Benchmark
    public Object wrapRun_ours() {
        return escapeAndRun(wrapOurs(task));
    }

    @Benchmark
    public Object wrapRun_otel() {
        return escapeAndRun(io.opentelemetry.context.Context.current().wrap(task));
    }

    @Benchmark
    public Object wrapRun_grpc() {
        return escapeAndRun(io.grpc.Context.current().wrap(task));
    }

    @Benchmark
    public Object wrapRun_ttl() {
        return escapeAndRun(TtlRunnable.get(task));
    }

    @Benchmark
    public Object wrapRun_micrometer() {
        return escapeAndRun(Fixtures.MICROMETER.captureAll().wrap(task));
    }

    // ---- executor hop: submit and wait ----

    @Benchmark
    public Object hop_unwrapped() throws InterruptedException, ExecutionException {
        return unwrapped.submit(task).get();
    }

    @Benchmark
    public Object hop_ours() throws InterruptedException, ExecutionException {
        return ours.submit(task).get();
    }

    @Benchmark
    public Object hop_otel() throws InterruptedException, ExecutionException {
        return otel.submit(task).get();
    }

    @Benchmark
    public Object hop_grpc() throws InterruptedException, ExecutionException {
        FutureTask<Object> f = new FutureTask<>(task, null);
        grpc.execute(f);
        return f.get();
    }

    @Benchmark
    public Object hop_ttl() throws InterruptedException, ExecutionException {
        return ttl.submit(task).get();
    }

    @Benchmark
    public Object hop_micrometer() throws InterruptedException, ExecutionException {
        return micrometer.submit(task).get();
    }

    // ---- CompletableFuture chain of five async stages ----

    private static Object chain5(Executor executor) {
        return CompletableFuture.supplyAsync(ZERO, executor)
                .thenApplyAsync(NEXT, executor)
                .thenApplyAsync(NEXT, executor)
                .thenApplyAsync(NEXT, executor)
                .thenApplyAsync(NEXT, executor)
                .join();
    }

    @Benchmark
    public Object chain5_unwrapped() {
        return chain5(unwrapped);
    }

    @Benchmark
    public Object chain5_ours() {
        return chain5(ours);
    }

    @Benchmark
    public Object chain5_otel() {
        return chain5(otel);
    }

    @Benchmark
    public Object chain5_grpc() {
        return chain5(grpc);
    }

    @Benchmark
    public Object chain5_ttl() {
        return chain5(ttl);
    }

    @Benchmark
    public Object chain5_micrometer() {
        return chain5(micrometer);
    }
}
