package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.OTEL_KEYS;
import static org.contextvars4j.benchmarks.Fixtures.OTHER;
import static org.contextvars4j.benchmarks.Fixtures.VALUE;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.Scope;
import org.contextvars4j.Token;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Why {@link WriteBenchmark} and an independent harness disagreed (issue 15): the same writes and
 * hand-offs measured on differently prepared threads, in one run.
 *
 * <p>{@code @Param thread}:
 * <ul>
 *   <li>{@code crowded}: what {@link WriteBenchmark} and {@link HandOffBenchmark} do
 *       ({@link Fixtures.Installed} with 4 values: about 20 thread-locals of the peers set on the
 *       thread, and ours runs inside an entered {@link Context});
 *   <li>{@code bare}: only our 4 vars (set in the thread's own base context, nothing entered) and
 *       OpenTelemetry's 4 keys (made current); no other thread-local is set;
 *   <li>{@code bareEntered}: {@code bare}, but ours inside an entered context as in {@code crowded}
 *       (separates the two differences).
 * </ul>
 *
 * <p>Rows: {@code read} is one value from the current context (ours {@code get()}, OpenTelemetry
 * {@code Context.current().get(key)}); {@code setReset} returns the token / scope (it escapes); {@code setResetLocal} keeps it
 * in the method (escape analysis may remove it); {@code directRun} runs a task through an
 * executor wrapper around {@code Runnable::run} ({@code ContextExecutors.wrap} against
 * OpenTelemetry's {@code Context.taskWrapping}); {@code wrapRun} wraps the current context for a
 * task, lets the wrapper escape and runs it ({@code Context.copyCurrent().wrap} against
 * OpenTelemetry's {@code Context.current().wrap}).
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar ThreadShapeBenchmark -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class ThreadShapeBenchmark {

    private static final int N = 4;

    /** How the benchmark thread is prepared: {@code crowded}, {@code bare} or {@code bareEntered}. */
    @Param({"crowded", "bare", "bareEntered"})
    public String thread;

    private Fixtures.Installed crowded;
    private Scope entered;
    private final Token<?>[] tokens = new Token<?>[N];
    private io.opentelemetry.context.Scope otelScope;

    private final Executor ours = ContextExecutors.wrap((Executor) Runnable::run);
    private final Executor otel = io.opentelemetry.context.Context.taskWrapping((Executor) Runnable::run);
    private final Runnable task = () -> { };
    /** Where escaping wrappers go. */
    public Runnable escaped;

    /** Prepares the thread as {@link #thread} says. */
    @Setup(Level.Iteration)
    public void install() {
        switch (thread) {
            case "crowded":
                crowded = new Fixtures.Installed(N);
                return;
            case "bareEntered":
                entered = new Context().enter();
                break;
            case "bare":
                break;
            default:
                throw new IllegalArgumentException("unknown thread shape: " + thread);
        }
        io.opentelemetry.context.Context o = io.opentelemetry.context.Context.root();
        for (int i = 0; i < N; i++) {
            tokens[i] = VARS[i].set(VALUE);
            o = o.with(OTEL_KEYS[i], VALUE);
        }
        otelScope = o.makeCurrent();
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        if (crowded != null) {
            crowded.close();
            crowded = null;
            return;
        }
        otelScope.close();
        for (int i = N - 1; i >= 0; i--) {
            tokens[i].close();
        }
        if (entered != null) {
            entered.close();
            entered = null;
        }
    }

    @Benchmark
    public Object read_ours() {
        return VARS[N - 1].get();
    }

    @Benchmark
    public Object read_otel() {
        return io.opentelemetry.context.Context.current().get(OTEL_KEYS[N - 1]);
    }

    @Benchmark
    public Object setReset_ours() {
        try (Token<Object> t = VARS[0].set(OTHER)) {
            return t;
        }
    }

    @Benchmark
    public Object setReset_otel() {
        try (io.opentelemetry.context.Scope s =
                io.opentelemetry.context.Context.current().with(OTEL_KEYS[0], OTHER).makeCurrent()) {
            return s;
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public void setResetLocal_ours() {
        try (Token<Object> t = VARS[0].set(OTHER)) {
            // nothing: the override is the work
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public void setResetLocal_otel() {
        try (io.opentelemetry.context.Scope s =
                io.opentelemetry.context.Context.current().with(OTEL_KEYS[0], OTHER).makeCurrent()) {
            // nothing: the override is the work
        }
    }

    @Benchmark
    public void directRun_ours() {
        ours.execute(task);
    }

    @Benchmark
    public void directRun_otel() {
        otel.execute(task);
    }

    @Benchmark
    public void wrapRun_ours() {
        Runnable w = Context.copyCurrent().wrap(task);
        escaped = w;
        w.run();
    }

    @Benchmark
    public void wrapRun_otel() {
        Runnable w = io.opentelemetry.context.Context.current().wrap(task);
        escaped = w;
        w.run();
    }
}
