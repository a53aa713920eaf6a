package org.contextvars4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.RequestScope;
import org.contextvars4j.ScopedMemoizer;
import org.contextvars4j.ScopedResource;
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
 * The request scope's costs against the core operations they are built on (issue 9 targets: a
 * memoized hit at most 3x {@code ContextVar.get()}, opening plus closing an empty scope at most
 * 2x {@code Context.run} of an empty context).
 *
 * <p>Each benchmark thread runs inside an entered context that holds one var and an open scope
 * in which {@link #MEMO} has its key cached and {@link #RESOURCE} is open. Rows:
 * <ul>
 *   <li>{@code varGet}: {@code ContextVar.get()} of the var (the baseline of the hit).</li>
 *   <li>{@code memoizedHit}: {@code ScopedMemoizer.apply} of a cached key.</li>
 *   <li>{@code resourceGet}: {@code ScopedResource.get()} of the open resource.</li>
 *   <li>{@code contextRunEmpty}: {@code Context.run(noop)} of an empty context (the baseline of
 *       the scope).</li>
 *   <li>{@code setReset}: {@code ContextVar.set} then {@code reset}: what the binding that
 *       {@code open} and {@code close} make cost until issue 26; since then the binding is the
 *       same write of the context's map and its O(1) undo without the {@code Token}.</li>
 *   <li>{@code openClose}: {@code RequestScope.open()} then {@code close()}, in the current
 *       context, with nothing used in between.</li>
 *   <li>{@code runEmpty}: {@code RequestScope.run(noop)}: a fresh context copy, open, close.</li>
 * </ul>
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar RequestScopeBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class RequestScopeBenchmark {

    static final ContextVar<String> VAR = ContextVar.of("request_id");
    static final Integer KEY = 42;
    static final ScopedMemoizer<Integer, String> MEMO = ScopedMemoizer.of("benchmark", key -> "value-" + key);
    static final ScopedResource<AutoCloseable> RESOURCE = ScopedResource.of("benchmark", () -> () -> { });
    static final Runnable NOOP = () -> { };

    private final Context empty = new Context();
    private org.contextvars4j.Scope entered;
    private RequestScope scope;

    /** Enters this thread's context, sets the var, opens the scope and fills the cache. */
    @Setup(Level.Trial)
    public void enter() {
        entered = new Context().enter();
        VAR.set("r-1");
        scope = RequestScope.open();
        MEMO.apply(KEY);
        RESOURCE.get();
    }

    /** Ends the scope and leaves the context. */
    @TearDown(Level.Trial)
    public void exit() {
        scope.close();
        entered.close();
    }

    @Benchmark
    public String varGet() {
        return VAR.get();
    }

    @Benchmark
    public String memoizedHit() {
        return MEMO.apply(KEY);
    }

    @Benchmark
    public AutoCloseable resourceGet() {
        return RESOURCE.get();
    }

    @Benchmark
    public void contextRunEmpty() {
        empty.run(NOOP);
    }

    @Benchmark
    public void setReset() {
        VAR.reset(VAR.set("r-2"));
    }

    @Benchmark
    public boolean openClose() {
        RequestScope s = RequestScope.open();
        s.close();
        return s.isOpen();
    }

    @Benchmark
    public void runEmpty() {
        RequestScope.run(NOOP);
    }
}
