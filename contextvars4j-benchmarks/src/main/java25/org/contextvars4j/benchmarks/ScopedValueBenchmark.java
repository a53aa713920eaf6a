package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.OTEL_KEYS;
import static org.contextvars4j.benchmarks.Fixtures.OTHER;
import static org.contextvars4j.benchmarks.Fixtures.THREAD_LOCALS;
import static org.contextvars4j.benchmarks.Fixtures.VALUE;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.util.concurrent.TimeUnit;
import org.contextvars4j.Token;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code ScopedValue} (final in JDK 25) as a peer. Compiled only on JDK 25+ (the {@code jdk25}
 * profile adds this source root).
 *
 * <p>Rows ({@code <operation>_<implementation>}):
 * <ul>
 *   <li>{@code get}: a read of a bound value. A {@code ScopedValue} is bound only inside
 *       {@code where(k, v).run(...)}, and a JMH benchmark method cannot sit inside one, so every
 *       row of this group runs the same loop of {@value #READS} reads inside one
 *       {@code where().run} and reports per read ({@code @OperationsPerInvocation}). The binding
 *       is then about 0.02 ns per read, and all rows share the loop overhead: compare the rows
 *       with each other, not with {@code ReadBenchmark}. Ours reads {@code ContextVar.get()},
 *       the baseline {@code ThreadLocal.get()}, each with one value in the store.
 *   <li>{@code bind}: the write equivalent, a value made current for a body that reads it:
 *       {@code ScopedValue.where(k, v).call(k::get)}; ours {@code try (Token t = var.set(v)) {
 *       return var.get(); }}; {@code ThreadLocal} set, get, restore; OpenTelemetry
 *       {@code try (Scope s = current().with(k, v).makeCurrent()) { return current().get(k); }}.
 * </ul>
 *
 * <pre>{@code
 * JAVA_HOME=/path/to/jdk-25 $JAVA_HOME/bin/java \
 *     -jar contextvars4j-benchmarks/target/benchmarks.jar ScopedValueBenchmark
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class ScopedValueBenchmark {

    /** Reads per invocation of a {@code get} row. */
    static final int READS = 1000;

    private static final ScopedValue<Object> SCOPED = ScopedValue.newInstance();

    private Fixtures.Installed installed;

    /** One value in every store on this iteration's thread. */
    @Setup(Level.Iteration)
    public void install() {
        installed = new Fixtures.Installed(1);
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        installed.close();
    }

    // ---- get: the same loop for every row, inside one binding ----

    @Benchmark
    @OperationsPerInvocation(READS)
    public void get_scopedValue(Blackhole bh) {
        ScopedValue.where(SCOPED, VALUE).run(() -> {
            for (int i = 0; i < READS; i++) {
                bh.consume(SCOPED.get());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public void get_ours(Blackhole bh) {
        ScopedValue.where(SCOPED, VALUE).run(() -> {
            for (int i = 0; i < READS; i++) {
                bh.consume(VARS[0].get());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public void get_threadLocal(Blackhole bh) {
        ScopedValue.where(SCOPED, VALUE).run(() -> {
            for (int i = 0; i < READS; i++) {
                bh.consume(THREAD_LOCALS[0].get());
            }
        });
    }

    // ---- bind a value for a body that reads it ----

    @Benchmark
    public Object bind_scopedValue() {
        return ScopedValue.where(SCOPED, OTHER).call(SCOPED::get);
    }

    @Benchmark
    public Object bind_ours() {
        try (Token<Object> t = VARS[0].set(OTHER)) {
            return VARS[0].get();
        }
    }

    @Benchmark
    public Object bind_threadLocal() {
        ThreadLocal<Object> local = THREAD_LOCALS[0];
        Object old = local.get();
        local.set(OTHER);
        try {
            return local.get();
        } finally {
            local.set(old);
        }
    }

    @Benchmark
    public Object bind_otel() {
        try (io.opentelemetry.context.Scope s =
                io.opentelemetry.context.Context.current().with(OTEL_KEYS[0], OTHER).makeCurrent()) {
            return io.opentelemetry.context.Context.current().get(OTEL_KEYS[0]);
        }
    }
}
