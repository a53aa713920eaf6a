package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.OTEL_KEYS;
import static org.contextvars4j.benchmarks.Fixtures.OTHER;
import static org.contextvars4j.benchmarks.Fixtures.VALUE;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
import org.contextvars4j.Token;
import org.contextvars4j.internal.VarMap;
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
 * The floors of the write and hand-off targets of issue 26 (docs/benchmarks.md, "Issue 26: the
 * floors of the write and hand-off targets"): stand-ins that do only the least the library's
 * design must do, next to the library and OpenTelemetry on threads prepared as
 * {@link ThreadShapeBenchmark} prepares them ({@code crowded}, {@code bare}). Run them in the same
 * JMH run as {@code ThreadShapeBenchmark.(setReset|setResetLocal|wrapRun)_}.
 *
 * <p>The stand-in context ({@link Ctx}) is a per-thread object reached through one
 * {@code ThreadLocal}, holding the root array of the library's own map (built by
 * {@link VarMap#with}: one leaf of 4 pairs, as ours holds), and the flags the library's design
 * needs; nothing else (no binding probe, no owned-thread test, no leak detection, no bridge
 * answers, no shift mirror).
 *
 * <p>Rows ({@code <operation>_<implementation>}):
 * <ul>
 *   <li>{@code setResetLocal} / {@code setReset}: the token closed in the method / returned.
 *       {@code floor}: one lookup, the copy of the one leaf with the new value (a clone and one
 *       store), a release store of the root, and a token recording what S5 needs (var, context,
 *       the maps before and after: the old value lives in the map before); the reset: a second
 *       lookup (S5 refuses a token of another context, so the current one must be known), the
 *       used / var / context checks, the O(1) put-back and the used mark.
 *       {@code floorTrie}: the same, the copy made by the library's {@link VarMap#with}.
 *   <li>{@code wrapRun}: capture the current context for a task, let the wrapper escape, run it
 *       on the same thread. {@code floor}: one lookup and the wrapper (the map and the task) to
 *       capture; to run, a second lookup, the identity test that lets the run borrow the
 *       current context instead of copying it (P2's copy made only at a first set, as the
 *       library does), the borrowed flag set and cleared, and the test whether the task left a
 *       context entered on top (S6).
 *   <li>{@code wrapRunOther}: the same with a wrapper of another context (a different map), so
 *       the run cannot borrow and takes the general path of a hand-off: {@code floor} makes a
 *       private copy (one object over the captured map, the S7 owner claimed by a plain store:
 *       no other thread can reach it), enters it (lookup, {@code ThreadLocal.set}), and exits
 *       (a lookup to check that it is still current, S6, {@code ThreadLocal.set} of the
 *       previous, a release store of the owner); {@code ours} is
 *       {@code other.wrap(task).run()}, {@code otel} OpenTelemetry's
 *       {@code other.wrap(task).run()}.
 * </ul>
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar 'WriteFloorSketchBenchmark' \
 *     'ThreadShapeBenchmark.(setReset|setResetLocal|wrapRun)_' -p thread=crowded,bare \
 *     -f 1 -wi 2 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class WriteFloorSketchBenchmark {

    private static final int N = 4;

    /** The stand-in context: the root of the map and the flags of the library's design. */
    static final class Ctx {
        Object[] root;
        boolean borrowed;
        boolean covered;
        Ctx previous;
        @SuppressWarnings("unused")
        Thread owner;
    }

    /** The stand-in token: what S5's checks and the O(1) reset need. */
    static final class Tok {
        final Object var;
        final Ctx context;
        final Object[] before;
        final Object[] after;
        boolean used;

        Tok(Object var, Ctx context, Object[] before, Object[] after) {
            this.var = var;
            this.context = context;
            this.before = before;
            this.after = after;
        }
    }

    /** The stand-in wrapper: 24 bytes, as the library's and OpenTelemetry's. */
    static final class Wrapper implements Runnable {
        private final Object[] map;
        private final Runnable task;

        Wrapper(Object[] map, Runnable task) {
            this.map = map;
            this.task = task;
        }

        @Override
        public void run() {
            Ctx c = CURRENT.get();
            if (c.root != map || c.borrowed) {
                runFresh();                              // out of line, as the library's general path
                return;
            }
            c.borrowed = true;
            try {
                task.run();
            } finally {
                c.borrowed = false;
                if (c.covered) {
                    throw covered();
                }
            }
        }

        private static IllegalStateException covered() {
            return new IllegalStateException("the sketch enters nothing on top of a borrowed context");
        }

        private void runFresh() {
            Ctx fresh = new Ctx();
            fresh.root = map;
            fresh.owner = Thread.currentThread();      // a plain store: no other thread can reach it
            Ctx previous = CURRENT.get();
            fresh.previous = previous;
            CURRENT.set(fresh);
            try {
                task.run();
            } finally {
                if (CURRENT.get() != fresh) {
                    throw new IllegalStateException("the sketch's task leaves nothing entered");
                }
                CURRENT.set(previous);
                fresh.previous = null;
                OWNER.setRelease(fresh, (Thread) null);
            }
        }
    }

    private static final VarHandle ROOT;
    private static final VarHandle OWNER;

    static {
        try {
            ROOT = MethodHandles.lookup().findVarHandle(Ctx.class, "root", Object[].class);
            OWNER = MethodHandles.lookup().findVarHandle(Ctx.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final ThreadLocal<Ctx> CURRENT = new ThreadLocal<>();

    /** How the benchmark thread is prepared, as in {@link ThreadShapeBenchmark}: {@code crowded} or {@code bare}. */
    @Param({"crowded", "bare"})
    public String thread;

    /** The var the writes change: a field, so the JIT folds neither it nor its slot. */
    private Object var;
    private int id;
    private int slot;

    private Fixtures.Installed crowded;
    private final Token<?>[] tokens = new Token<?>[N];
    private io.opentelemetry.context.Scope otelScope;
    private Object[] otherMap;
    private Context other;
    private io.opentelemetry.context.Context otherOtel;

    private final Runnable task = () -> { };
    /** Where escaping wrappers go. */
    public Runnable escaped;

    /** Prepares the thread as {@link ThreadShapeBenchmark} does, and the stand-in's context. */
    @Setup(Level.Iteration)
    public void install() {
        // The stand-in's ThreadLocal first, so that it takes its home slot in the thread's map
        // (a first-probe hit, as the library's own lookup), before the fixtures' thread-locals.
        CURRENT.set(new Ctx());
        io.opentelemetry.context.Context o = io.opentelemetry.context.Context.root();
        io.opentelemetry.context.Context p = io.opentelemetry.context.Context.root();
        Context c = new Context();
        for (int i = 0; i < N; i++) {
            o = o.with(OTEL_KEYS[i], VALUE);
            p = p.with(OTEL_KEYS[i], VALUE);      // equal to o, not o: the current one on a bare thread
            c = c.with(VARS[i], VALUE);
        }
        other = c;
        otherOtel = p;
        if ("crowded".equals(thread)) {
            crowded = new Fixtures.Installed(N);
        } else if ("bare".equals(thread)) {
            for (int i = 0; i < N; i++) {
                tokens[i] = VARS[i].set(VALUE);
            }
            otelScope = o.makeCurrent();
        } else {
            throw new IllegalArgumentException("unknown thread shape: " + thread);
        }
        var = VARS[0];
        id = 0;
        slot = 2 + 2 * id;                           // VarMap's leaf: [tag, k0, v0, k1, v1, ...]
        Object[] m = VarMap.EMPTY;
        Object[] n = VarMap.EMPTY;
        for (int i = 0; i < N; i++) {
            m = VarMap.with(m, i, VARS[i], VALUE);
            n = VarMap.with(n, i, VARS[i], VALUE);
        }
        CURRENT.get().root = m;
        otherMap = n;
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        if (crowded != null) {
            crowded.close();
            crowded = null;
        } else {
            otelScope.close();
            for (int i = N - 1; i >= 0; i--) {
                tokens[i].close();
            }
        }
        CURRENT.remove();
    }

    // ---- the floor's set and reset ----

    private Tok setFloor(Object value) {
        Ctx c = CURRENT.get();
        Object[] before = c.root;
        Object[] after = before.clone();
        after[slot] = value;
        ROOT.setRelease(c, after);
        return new Tok(var, c, before, after);
    }

    private Tok setFloorTrie(Object value) {
        Ctx c = CURRENT.get();
        Object[] before = c.root;
        Object[] after = VarMap.with(before, id, var, value);
        ROOT.setRelease(c, after);
        return new Tok(var, c, before, after);
    }

    private void resetFloor(Tok t) {
        Ctx c = CURRENT.get();
        if (t.used || t.var != var || t.context != c) {
            throw new IllegalArgumentException("refused");
        }
        Object[] m = c.root;
        if (m != t.after) {
            throw new IllegalStateException("the sketch sets nothing in between");
        }
        ROOT.setRelease(c, t.before);
        t.used = true;
    }

    // ---- set + reset, token closed in the method ----

    @Benchmark
    public void setResetLocal_floor() {
        resetFloor(setFloor(OTHER));
    }

    @Benchmark
    public void setResetLocal_floorTrie() {
        resetFloor(setFloorTrie(OTHER));
    }

    // ---- set + reset, token returned ----

    @Benchmark
    public Object setReset_floor() {
        Tok t = setFloor(OTHER);
        resetFloor(t);
        return t;
    }

    @Benchmark
    public Object setReset_floorTrie() {
        Tok t = setFloorTrie(OTHER);
        resetFloor(t);
        return t;
    }

    // ---- wrap + run, the wrapper escaping ----

    @Benchmark
    public void wrapRun_floor() {
        Runnable w = new Wrapper(CURRENT.get().root, task);
        escaped = w;
        w.run();
    }

    @Benchmark
    public void wrapRunOther_floor() {
        Runnable w = new Wrapper(otherMap, task);
        escaped = w;
        w.run();
    }

    @Benchmark
    public void wrapRunOther_ours() {
        Runnable w = other.wrap(task);
        escaped = w;
        w.run();
    }

    @Benchmark
    public void wrapRunOther_otel() {
        Runnable w = otherOtel.wrap(task);
        escaped = w;
        w.run();
    }
}
