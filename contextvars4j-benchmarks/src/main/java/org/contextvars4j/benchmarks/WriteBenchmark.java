package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.FAST;
import static org.contextvars4j.benchmarks.Fixtures.GRPC_KEYS;
import static org.contextvars4j.benchmarks.Fixtures.OTEL_KEYS;
import static org.contextvars4j.benchmarks.Fixtures.OTHER;
import static org.contextvars4j.benchmarks.Fixtures.THREAD_LOCALS;
import static org.contextvars4j.benchmarks.Fixtures.TTLS;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.util.concurrent.TimeUnit;
import org.contextvars4j.Token;
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
 * A temporary override: set a value, do nothing, put the old value back. Each store holds
 * {@code nVars} values beforehand and the written key is one of them (the usual case: a
 * request overrides a var its caller set).
 *
 * <p>Rows ({@code <operation>_<implementation>}):
 * <ul>
 *   <li>{@code setReset}: ours is {@code try (Token t = var.set(v)) { }} (set, then reset on
 *       close). Equivalents: {@code ThreadLocal} and TransmittableThreadLocal
 *       {@code old = get(); set(v); set(old)} (the restore a careful caller writes; no
 *       {@code remove()}), Netty {@code FastThreadLocal} the same, OpenTelemetry
 *       {@code try (Scope s = Context.current().with(k, v).makeCurrent()) { }}, gRPC
 *       {@code prev = Context.current().withValue(k, v).attach(); ctx.detach(prev)}.
 *   <li>{@code nested3}: three such overrides of three different keys, nested, then undone
 *       in reverse order.
 * </ul>
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar WriteBenchmark -prof gc
 * }</pre>
 * Virtual threads: add {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=org.contextvars4j.benchmarks.VirtualThreadExecutor} before {@code -jar}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class WriteBenchmark {

    /** How many values each store holds before the write (at least 3). */
    @Param({"4"})
    public int nVars;

    private Fixtures.Installed installed;

    /** Installs {@code nVars} values in every store on this iteration's thread. */
    @Setup(Level.Iteration)
    public void install() {
        installed = new Fixtures.Installed(Math.max(3, nVars));
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        installed.close();
    }

    // ---- set + reset ----

    @Benchmark
    public Object setReset_ours() {
        try (Token<Object> t = VARS[0].set(OTHER)) {
            return t;
        }
    }

    @Benchmark
    public Object setReset_threadLocal() {
        ThreadLocal<Object> local = THREAD_LOCALS[0];
        Object old = local.get();
        local.set(OTHER);
        local.set(old);
        return old;
    }

    @Benchmark
    public Object setReset_ttl() {
        Object old = TTLS[0].get();
        TTLS[0].set(OTHER);
        TTLS[0].set(old);
        return old;
    }

    @Benchmark
    public Object setReset_fastThreadLocal() {
        Object old = FAST[0].get();
        FAST[0].set(OTHER);
        FAST[0].set(old);
        return old;
    }

    @Benchmark
    public Object setReset_otel() {
        try (io.opentelemetry.context.Scope s =
                io.opentelemetry.context.Context.current().with(OTEL_KEYS[0], OTHER).makeCurrent()) {
            return s;
        }
    }

    @Benchmark
    public Object setReset_grpc() {
        io.grpc.Context c = io.grpc.Context.current().withValue(GRPC_KEYS[0], OTHER);
        io.grpc.Context previous = c.attach();
        c.detach(previous);
        return previous;
    }

    // ---- three nested overrides ----

    @Benchmark
    public Object nested3_ours() {
        try (Token<Object> a = VARS[0].set(OTHER);
                Token<Object> b = VARS[1].set(OTHER);
                Token<Object> c = VARS[2].set(OTHER)) {
            return c;
        }
    }

    @Benchmark
    public Object nested3_threadLocal() {
        Object a = THREAD_LOCALS[0].get();
        THREAD_LOCALS[0].set(OTHER);
        Object b = THREAD_LOCALS[1].get();
        THREAD_LOCALS[1].set(OTHER);
        Object c = THREAD_LOCALS[2].get();
        THREAD_LOCALS[2].set(OTHER);
        THREAD_LOCALS[2].set(c);
        THREAD_LOCALS[1].set(b);
        THREAD_LOCALS[0].set(a);
        return c;
    }

    @Benchmark
    public Object nested3_ttl() {
        Object a = TTLS[0].get();
        TTLS[0].set(OTHER);
        Object b = TTLS[1].get();
        TTLS[1].set(OTHER);
        Object c = TTLS[2].get();
        TTLS[2].set(OTHER);
        TTLS[2].set(c);
        TTLS[1].set(b);
        TTLS[0].set(a);
        return c;
    }

    @Benchmark
    public Object nested3_otel() {
        try (io.opentelemetry.context.Scope a =
                        io.opentelemetry.context.Context.current().with(OTEL_KEYS[0], OTHER).makeCurrent();
                io.opentelemetry.context.Scope b =
                        io.opentelemetry.context.Context.current().with(OTEL_KEYS[1], OTHER).makeCurrent();
                io.opentelemetry.context.Scope c =
                        io.opentelemetry.context.Context.current().with(OTEL_KEYS[2], OTHER).makeCurrent()) {
            return c;
        }
    }

    @Benchmark
    public Object nested3_grpc() {
        io.grpc.Context a = io.grpc.Context.current().withValue(GRPC_KEYS[0], OTHER);
        io.grpc.Context pa = a.attach();
        io.grpc.Context b = io.grpc.Context.current().withValue(GRPC_KEYS[1], OTHER);
        io.grpc.Context pb = b.attach();
        io.grpc.Context c = io.grpc.Context.current().withValue(GRPC_KEYS[2], OTHER);
        io.grpc.Context pc = c.attach();
        c.detach(pc);
        b.detach(pb);
        a.detach(pa);
        return pc;
    }
}
