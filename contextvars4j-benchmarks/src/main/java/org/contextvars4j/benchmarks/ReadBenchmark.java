package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.FAST;
import static org.contextvars4j.benchmarks.Fixtures.GRPC_KEYS;
import static org.contextvars4j.benchmarks.Fixtures.GRPC_UNSET;
import static org.contextvars4j.benchmarks.Fixtures.INHERITABLE;
import static org.contextvars4j.benchmarks.Fixtures.OTEL_KEYS;
import static org.contextvars4j.benchmarks.Fixtures.OTEL_UNSET;
import static org.contextvars4j.benchmarks.Fixtures.THREAD_LOCALS;
import static org.contextvars4j.benchmarks.Fixtures.TTLS;
import static org.contextvars4j.benchmarks.Fixtures.UNSET;
import static org.contextvars4j.benchmarks.Fixtures.UNSET_WITH_DEFAULT;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.util.concurrent.TimeUnit;
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
 * Reading one value from the current context: {@code ContextVar.get()} against the read of
 * every peer, with {@code nVars} values in each store.
 *
 * <p>Rows are named {@code <operation>_<implementation>}:
 * <ul>
 *   <li>{@code first}: the first var put in the context (id 0; OpenTelemetry's first array
 *       slot). {@code last}: the {@code nVars}-th (our deepest leaf; OpenTelemetry's last slot).
 *   <li>{@code missing}: a var that is not in the context, read with an explicit fallback
 *       ({@code ContextVar.orElse(fallback)}; the peers' {@code get} of an absent key, null).
 *   <li>{@code defaultMiss}: a var with a default that is not in the context ({@code get()}
 *       returns the default).
 * </ul>
 * Equivalents: {@code ThreadLocal.get()}, {@code InheritableThreadLocal.get()},
 * TransmittableThreadLocal {@code get()} and Netty {@code FastThreadLocal.get()} (on a plain
 * thread: the slow path through its own {@code ThreadLocal}), each with {@code nVars}
 * thread-locals set; OpenTelemetry {@code Context.current().get(key)} and gRPC
 * {@code Key.get()}, each with a current context holding {@code nVars} keys. A thread-local
 * has no "missing" or "default" row: {@code get()} of an unset thread-local stores its
 * initial value, so the second call is a hit.
 *
 * <p>Platform threads:
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar ReadBenchmark
 * }</pre>
 * Virtual threads (JDK 21+):
 * <pre>{@code
 * java -Djmh.executor=CUSTOM -Djmh.executor.class=org.contextvars4j.benchmarks.VirtualThreadExecutor \
 *      -jar contextvars4j-benchmarks/target/benchmarks.jar ReadBenchmark
 * }</pre>
 * Add {@code -prof gc} for bytes/op (every row should show 0) and {@code -t 2} (or 4, 8) for
 * several threads reading the same var, each in its own context.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class ReadBenchmark {

    /** How many values each store holds. */
    @Param({"1", "4", "8", "32", "1000"})
    public int nVars;

    private int last;
    private Fixtures.Installed installed;

    /** Installs {@code nVars} values in every store on this iteration's thread. */
    @Setup(Level.Iteration)
    public void install() {
        last = nVars - 1;
        installed = new Fixtures.Installed(nVars);
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        installed.close();
    }

    // ---- ours ----

    @Benchmark
    public Object first_ours() {
        return VARS[0].get();
    }

    @Benchmark
    public Object last_ours() {
        return VARS[last].get();
    }

    @Benchmark
    public Object missing_ours() {
        return UNSET.orElse(null);
    }

    @Benchmark
    public Object defaultMiss_ours() {
        return UNSET_WITH_DEFAULT.get();
    }

    // ---- ThreadLocal family ----

    @Benchmark
    public Object first_threadLocal() {
        return THREAD_LOCALS[0].get();
    }

    @Benchmark
    public Object last_threadLocal() {
        return THREAD_LOCALS[last].get();
    }

    @Benchmark
    public Object first_inheritableThreadLocal() {
        return INHERITABLE[0].get();
    }

    @Benchmark
    public Object last_inheritableThreadLocal() {
        return INHERITABLE[last].get();
    }

    @Benchmark
    public Object first_ttl() {
        return TTLS[0].get();
    }

    @Benchmark
    public Object last_ttl() {
        return TTLS[last].get();
    }

    @Benchmark
    public Object first_fastThreadLocal() {
        return FAST[0].get();
    }

    @Benchmark
    public Object last_fastThreadLocal() {
        return FAST[last].get();
    }

    // ---- immutable-context peers ----

    @Benchmark
    public Object first_otel() {
        return io.opentelemetry.context.Context.current().get(OTEL_KEYS[0]);
    }

    @Benchmark
    public Object last_otel() {
        return io.opentelemetry.context.Context.current().get(OTEL_KEYS[last]);
    }

    @Benchmark
    public Object missing_otel() {
        return io.opentelemetry.context.Context.current().get(OTEL_UNSET);
    }

    @Benchmark
    public Object first_grpc() {
        return GRPC_KEYS[0].get();
    }

    @Benchmark
    public Object last_grpc() {
        return GRPC_KEYS[last].get();
    }

    @Benchmark
    public Object missing_grpc() {
        return GRPC_UNSET.get();
    }
}
