package org.contextvars4j.benchmarks;

import io.grpc.Context;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.internal.Bridges;
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
 * gRPC's {@code Context.current()} and attach + detach through our storage
 * ({@code io.grpc.override.ContextStorageOverride}) against gRPC's default thread-local storage,
 * in one JVM, side by side (issue 25's target: at most 1.2x).
 *
 * <h2>Why the storages are called directly</h2>
 *
 * <p>gRPC picks its storage once per JVM, by the presence of the override class, so one JVM cannot
 * run {@code Context.current()} through both. The benchmarks jar leaves the override out (the gRPC
 * peer rows of the other benchmarks measure gRPC's own storage), and this benchmark loads it from a
 * copy inside the jar with a class loader of its own. Both storages are then called the way
 * {@code Context.current()}, {@code attach()} and {@code detach()} call them (one virtual call on a
 * {@code Context.Storage}, each from a call site of its own), and {@code grpcContextCurrent} /
 * {@code grpcAttachDetach} run the real public methods over the default storage to show that the
 * direct calls cost what the public ones do.
 * <ul>
 *   <li>{@code current_*}: the current context with one gRPC context attached;</li>
 *   <li>{@code attachDetach_*}: attach a context and detach it again;</li>
 *   <li>{@code replaceRestore_floor}, {@code setReset_floor}: the floor of any attach + detach
 *       that keeps gRPC's context in a var of ours: the core's token-free write of one var and its
 *       O(1) undo, and the same through the public {@code set} and {@code reset};</li>
 *   <li>{@code vars}: how many contextvars4j vars the thread's context holds (with one or more,
 *       our {@code current()} returns a child carrying a snapshot of them).</li>
 * </ul>
 * Run:
 * <pre>
 * mvn -B -ntp -pl contextvars4j-benchmarks -am -DskipTests package
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar GrpcStorageBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GrpcStorageBenchmark {

    private static final Context.Key<String> KEY = Context.key("key");
    private static final ContextVar<String> VAR = ContextVar.of("request_id");
    /** A var of the floor rows, standing for the storage's own. */
    private static final ContextVar<Object> FLOOR = ContextVar.of("floor");

    @Param({"0", "1"})
    public int vars;

    private Context.Storage ours;
    private Context.Storage threadLocal;
    private Context attached;
    private Context other;
    private Context oursPrevious;
    private Context threadLocalPrevious;
    private Context defaultPrevious;
    private Token<String> token;

    /** Loads both storages and attaches one context in each. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        URL folder = GrpcStorageBenchmark.class.getResource("/grpc-storage/");
        if (folder == null) {
            throw new IllegalStateException("the benchmarks jar holds no grpc-storage/ folder");
        }
        @SuppressWarnings("resource") // lives as long as the trial's JVM
        ClassLoader loader = new URLClassLoader(new URL[] {folder}, GrpcStorageBenchmark.class.getClassLoader());
        ours = (Context.Storage) loader.loadClass("io.grpc.override.ContextStorageOverride").getConstructor().newInstance();
        Constructor<?> threadLocalStorage = Class.forName("io.grpc.ThreadLocalContextStorage").getDeclaredConstructor();
        threadLocalStorage.setAccessible(true);
        threadLocal = (Context.Storage) threadLocalStorage.newInstance();
        if (vars > 0) {
            token = VAR.set("req-42");
        }
        attached = Context.ROOT.withValue(KEY, "attached");
        other = Context.ROOT.withValue(KEY, "other");
        oursPrevious = ours.doAttach(attached);
        threadLocalPrevious = threadLocal.doAttach(attached);
        defaultPrevious = attached.attach();
        if (KEY.get(ours.current()) != "attached" || threadLocal.current() != attached || Context.current() != attached) {
            throw new IllegalStateException("a storage does not hold the attached context");
        }
    }

    /** Detaches again, and resets the var. */
    @TearDown(Level.Trial)
    public void tearDown() {
        attached.detach(defaultPrevious);
        threadLocal.detach(attached, threadLocalPrevious);
        ours.detach(attached, oursPrevious);
        if (token != null) {
            VAR.reset(token);
        }
    }

    /** {@return gRPC's current context, from our storage} */
    @Benchmark
    public Context current_ours() {
        Context current = ours.current();
        return current == null ? Context.ROOT : current;
    }

    /** {@return gRPC's current context, from its default thread-local storage} */
    @Benchmark
    public Context current_threadLocal() {
        Context current = threadLocal.current();
        return current == null ? Context.ROOT : current;
    }

    /** {@return gRPC's public {@code Context.current()} over its default storage: the reference} */
    @Benchmark
    public Context grpcContextCurrent() {
        return Context.current();
    }

    /** {@return the context attached before, after attaching and detaching one, in our storage} */
    @Benchmark
    public Context attachDetach_ours() {
        Context previous = ours.doAttach(other);
        ours.detach(other, previous);
        return previous;
    }

    /** {@return the same in gRPC's default thread-local storage} */
    @Benchmark
    public Context attachDetach_threadLocal() {
        Context previous = threadLocal.doAttach(other);
        threadLocal.detach(other, previous);
        return previous;
    }

    /** {@return the same through gRPC's public attach and detach over its default storage: the reference} */
    @Benchmark
    public Context grpcAttachDetach() {
        Context previous = other.attach();
        other.detach(previous);
        return previous;
    }

    /**
     * {@return the floor of our attach + detach: the core's token-free replace of one var and the
     * O(1) restore of the map before it, which any attach + detach through a var of ours does}
     */
    @Benchmark
    public Object replaceRestore_floor() {
        Object[] before = Bridges.currentMap();
        Object[] after = Bridges.replace(FLOOR, other);
        Bridges.restore(after, before);
        return after;
    }

    /** {@return the same through the public {@code set} and {@code reset}, with their token} */
    @Benchmark
    public Object setReset_floor() {
        Token<Object> t = FLOOR.set(other);
        FLOOR.reset(t);
        return t;
    }
}
