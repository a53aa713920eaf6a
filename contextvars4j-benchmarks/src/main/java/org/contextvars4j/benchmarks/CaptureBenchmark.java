package org.contextvars4j.benchmarks;

import com.alibaba.ttl.TransmittableThreadLocal.Transmitter;
import io.micrometer.context.ContextSnapshot;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
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
 * Capturing the current context for later, and running a no-op inside a captured context,
 * with {@code nVars} values in each store.
 *
 * <p>Rows ({@code <operation>_<implementation>}):
 * <ul>
 *   <li>{@code capture}: ours is {@code Context.copyCurrent()} (a new {@code Context} sharing
 *       the immutable map: O(1)). Equivalents: OpenTelemetry and gRPC {@code Context.current()}
 *       (their contexts are immutable, so the current one is the capture); Micrometer
 *       {@code ContextSnapshotFactory.captureAll()} with one {@code ThreadLocalAccessor}
 *       registered (Micrometer's cost grows per accessor, not per value, so its rows do not
 *       change with {@code nVars}); TransmittableThreadLocal {@code Transmitter.capture()}
 *       (copies every TTL value).
 *   <li>{@code runNoop}: ours is {@code captured.run(noop)} (enter, run, exit, restore).
 *       Equivalents: OpenTelemetry {@code try (Scope s = ctx.makeCurrent()) { noop.run(); }},
 *       gRPC {@code ctx.run(noop)}, where {@code ctx} is a captured context other than the current
 *       one (OpenTelemetry skips all work when it is the current one), Micrometer {@code try (Scope s = snapshot.setThreadLocals())
 *       { noop.run(); }}, TTL {@code backup = Transmitter.replay(captured); noop.run();
 *       Transmitter.restore(backup)}.
 * </ul>
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar CaptureBenchmark -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class CaptureBenchmark {

    private static final Runnable NOOP = () -> { };

    /** How many values each store holds. */
    @Param({"1", "10", "100", "1000"})
    public int nVars;

    private Fixtures.Installed installed;
    private Context ours;
    private io.opentelemetry.context.Context otel;
    private io.grpc.Context grpc;
    private io.opentelemetry.context.Context otelToRun;
    private io.grpc.Context grpcToRun;
    private ContextSnapshot micrometer;
    private Object ttl;

    /** Installs {@code nVars} values in every store on this iteration's thread, and captures them. */
    @Setup(Level.Iteration)
    public void install() {
        installed = new Fixtures.Installed(nVars);
        ours = Context.copyCurrent();
        otel = io.opentelemetry.context.Context.current();
        grpc = io.grpc.Context.current();
        // For runNoop the captured context must not be the current one, as in a real hand-off:
        // OpenTelemetry's makeCurrent() of the context that is already current returns a no-op
        // scope without touching the thread, which would measure nothing. One key more makes
        // each peer's capture a distinct context (ours, a copy, is distinct already).
        otelToRun = otel.with(Fixtures.OTEL_UNSET, Fixtures.VALUE);
        grpcToRun = grpc.withValue(Fixtures.GRPC_UNSET, Fixtures.VALUE);
        micrometer = Fixtures.MICROMETER.captureAll();
        ttl = Transmitter.capture();
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        installed.close();
    }

    // ---- capture ----

    @Benchmark
    public Object capture_ours() {
        return Context.copyCurrent();
    }

    @Benchmark
    public Object capture_otel() {
        return io.opentelemetry.context.Context.current();
    }

    @Benchmark
    public Object capture_grpc() {
        return io.grpc.Context.current();
    }

    @Benchmark
    public Object capture_micrometer() {
        return Fixtures.MICROMETER.captureAll();
    }

    @Benchmark
    public Object capture_ttl() {
        return Transmitter.capture();
    }

    // ---- run a no-op in a captured context ----

    @Benchmark
    public void runNoop_ours() {
        ours.run(NOOP);
    }

    @Benchmark
    public void runNoop_otel() {
        try (io.opentelemetry.context.Scope s = otelToRun.makeCurrent()) {
            NOOP.run();
        }
    }

    @Benchmark
    public void runNoop_grpc() {
        grpcToRun.run(NOOP);
    }

    @Benchmark
    public void runNoop_micrometer() {
        try (ContextSnapshot.Scope s = micrometer.setThreadLocals()) {
            NOOP.run();
        }
    }

    @Benchmark
    public void runNoop_ttl() {
        Object backup = Transmitter.replay(ttl);
        try {
            NOOP.run();
        } finally {
            Transmitter.restore(backup);
        }
    }
}
