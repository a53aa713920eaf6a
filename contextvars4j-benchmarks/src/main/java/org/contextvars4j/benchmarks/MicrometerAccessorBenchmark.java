package org.contextvars4j.benchmarks;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.micrometer.ContextThreadLocalAccessor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Micrometer context-propagation carrying the contextvars4j {@code Context} (module
 * {@code contextvars4j-micrometer}) against Micrometer carrying one plain {@code ThreadLocal}:
 * the same Micrometer machinery, one registered accessor each, in registries of their own.
 * The thread holds one var in its context and one value in the thread-local.
 *
 * <p>Rows ({@code <operation>_<implementation>}; {@code ours} is {@code ContextThreadLocalAccessor}
 * alone, {@code threadLocal} is {@code registerThreadLocalAccessor(key, threadLocal)} alone):
 * <ul>
 *   <li>{@code capture}: {@code factory.captureAll()}; ours takes {@code Context.copyCurrent()}.
 *   <li>{@code setClose}: {@code try (Scope s = snapshot.setThreadLocals()) { }} with a snapshot
 *       taken before; ours saves the current context, enters a fresh copy of the captured one and
 *       closes its scope again.
 *   <li>{@code captureSetClose}: both in one, what every Micrometer hand-off does (Reactor's
 *       scheduler hook, {@code ContextExecutorService}, Spring's {@code ContextPropagatingTaskDecorator}).
 * </ul>
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar MicrometerAccessorBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class MicrometerAccessorBenchmark {

    private static final ContextSnapshotFactory OURS = ContextSnapshotFactory.builder()
            .contextRegistry(new ContextRegistry().registerThreadLocalAccessor(new ContextThreadLocalAccessor()))
            .build();

    private Fixtures.Installed installed;
    private ContextSnapshot ourSnapshot;
    private ContextSnapshot threadLocalSnapshot;

    /** One var in the current context and one value in Micrometer's thread-local, and a snapshot of each. */
    @Setup(Level.Iteration)
    public void install() {
        installed = new Fixtures.Installed(1);
        ourSnapshot = OURS.captureAll();
        threadLocalSnapshot = Fixtures.MICROMETER.captureAll();
    }

    /** Takes the values out again. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        installed.close();
    }

    @Benchmark
    public ContextSnapshot capture_ours() {
        return OURS.captureAll();
    }

    @Benchmark
    public ContextSnapshot capture_threadLocal() {
        return Fixtures.MICROMETER.captureAll();
    }

    @Benchmark
    public void setClose_ours() {
        try (ContextSnapshot.Scope s = ourSnapshot.setThreadLocals()) {
            // the hand-off's task would run here
        }
    }

    @Benchmark
    public void setClose_threadLocal() {
        try (ContextSnapshot.Scope s = threadLocalSnapshot.setThreadLocals()) {
            // the hand-off's task would run here
        }
    }

    @Benchmark
    public ContextSnapshot captureSetClose_ours() {
        ContextSnapshot snapshot = OURS.captureAll();
        try (ContextSnapshot.Scope s = snapshot.setThreadLocals()) {
            return snapshot;
        }
    }

    @Benchmark
    public ContextSnapshot captureSetClose_threadLocal() {
        ContextSnapshot snapshot = Fixtures.MICROMETER.captureAll();
        try (ContextSnapshot.Scope s = snapshot.setThreadLocals()) {
            return snapshot;
        }
    }
}
