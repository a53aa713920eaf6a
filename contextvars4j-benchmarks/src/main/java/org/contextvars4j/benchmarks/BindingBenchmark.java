package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.OTEL_KEYS;
import static org.contextvars4j.benchmarks.Fixtures.OTHER;
import static org.contextvars4j.benchmarks.Fixtures.THREAD_LOCALS;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
import org.contextvars4j.Token;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reads, writes and hand-offs inside and outside a structured entry ({@code Context.run}), for
 * the opt-in {@code ScopedValue} binding of issue 26: this class runs with
 * {@code -Dcontextvars4j.scopedValues=on} (JDK 25; on JDK 17 every row takes the
 * {@code ThreadLocal} path), {@link BindingOffBenchmark} runs the same rows with it off, the
 * default: the A/B in one run.
 *
 * <p>The thread holds {@code nVars} values in an {@code enter()}ed context (and as many
 * thread-locals and OpenTelemetry keys); the structured rows run in a copy of it.
 * Rows ({@code <operation>_<implementation>}; the var read is the last one set):
 * <ul>
 *   <li>{@code getIn}: {@value #OPS} reads in one {@code Context.run} (a JMH method cannot sit
 *       inside a binding), reported per read; the {@code threadLocal} row runs the same loop.
 *   <li>{@code getOut}: one read outside any structured entry (the {@code enter()}ed context).
 *   <li>{@code setResetIn}: {@value #OPS} {@code set} + {@code reset} (token closed in the loop)
 *       in one {@code Context.run}; OpenTelemetry's {@code with(k, v).makeCurrent()} + close in
 *       the same loop.
 *   <li>{@code wrapRunIn}: {@value #OPS} wrap + run of an escaping wrapper in one
 *       {@code Context.run}; OpenTelemetry's {@code Context.current().wrap} in the same loop.
 *   <li>{@code run}: {@code Context.run} of a no-op: what a structured entry costs.
 * </ul>
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar 'Binding(Off)?Benchmark' -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dcontextvars4j.scopedValues=on")
@State(Scope.Thread)
public class BindingBenchmark {

    /** Operations per invocation of an {@code ...In} row. */
    static final int OPS = 1000;

    private static final Runnable NOOP = () -> { };

    /** How many vars (and thread-locals, OpenTelemetry keys) hold a value. */
    @Param({"1", "1000"})
    public int nVars;

    private Fixtures.Installed installed;
    private Context structured;
    private int last;
    /** Where escaping wrappers go. */
    public Runnable escaped;

    /** Installs {@link #nVars} values and prepares the context the structured rows run in. */
    @Setup(Level.Iteration)
    public void install() {
        installed = new Fixtures.Installed(nVars);
        structured = Context.copyCurrent();
        last = nVars - 1;
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        installed.close();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void getIn_ours(Blackhole bh) {
        int k = last;
        structured.run(() -> {
            for (int i = 0; i < OPS; i++) {
                bh.consume(VARS[k].get());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void getIn_threadLocal(Blackhole bh) {
        int k = last;
        structured.run(() -> {
            for (int i = 0; i < OPS; i++) {
                bh.consume(THREAD_LOCALS[k].get());
            }
        });
    }

    @Benchmark
    public Object getOut_ours() {
        return VARS[last].get();
    }

    @Benchmark
    public Object getOut_threadLocal() {
        return THREAD_LOCALS[last].get();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    @SuppressWarnings("try")
    public void setResetIn_ours() {
        structured.run(() -> {
            for (int i = 0; i < OPS; i++) {
                try (Token<Object> t = VARS[0].set(OTHER)) {
                    // nothing: the override is the work
                }
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    @SuppressWarnings("try")
    public void setResetIn_otel() {
        structured.run(() -> {
            for (int i = 0; i < OPS; i++) {
                try (io.opentelemetry.context.Scope s =
                        io.opentelemetry.context.Context.current().with(OTEL_KEYS[0], OTHER).makeCurrent()) {
                    // nothing: the override is the work
                }
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void wrapRunIn_ours() {
        structured.run(() -> {
            for (int i = 0; i < OPS; i++) {
                Runnable w = Context.copyCurrent().wrap(NOOP);
                escaped = w;
                w.run();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void wrapRunIn_otel() {
        structured.run(() -> {
            for (int i = 0; i < OPS; i++) {
                Runnable w = io.opentelemetry.context.Context.current().wrap(NOOP);
                escaped = w;
                w.run();
            }
        });
    }

    @Benchmark
    public void run_ours() {
        structured.run(NOOP);
    }
}
