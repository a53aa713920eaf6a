package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.THREAD_LOCALS;
import static org.contextvars4j.benchmarks.Fixtures.VALUE;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * Evidence for the core changes made after the first figure set (see docs/benchmarks.md, "Core
 * changes made after the first figure set"):
 * small stand-ins for the library's read path and enter/exit path, next to the library itself,
 * in one run. The stand-ins are sketches, not the library; the {@code ours} rows are the
 * library.
 *
 * <p>Rows ({@code <operation>_<implementation>}):
 * <ul>
 *   <li>{@code read}: the first var with {@code nVars} vars in the context (1: a one-leaf trie;
 *       1,000: depth 2). {@code ours}: the library's {@code ContextVar.get()};
 *       {@code threadLocal}: the baseline; {@code sketchNow}: the library's current read chain,
 *       rebuilt (ThreadLocal, then Context, then map, then root array, then slots) to show the
 *       stand-in matches {@code ours}; {@code sketchFlat}: the same with the map's root array
 *       and shift held by the per-thread object itself (one dependent load fewer);
 *       {@code sketchUnrolled}: flat, and the walk written out for depths 1 and 2 (up to 1,024
 *       var ids) instead of a loop; {@code sketchFloor}: the least any read through a
 *       {@code ThreadLocal} into a persistent map can do (see the method).
 *   <li>{@code enterExit}: make a context current and restore the previous one, around a
 *       no-op. {@code ours}: {@code Context.run}; {@code sketchCasVolatile}: ThreadLocal swap plus
 *       an owner CAS to enter and a volatile store to release, as the library does today;
 *       {@code sketchCasRelease}: the same with a release store; {@code sketchPlain}: plain
 *       owner stores, valid only for a context no other thread can reach (one a wrapper creates
 *       for its own run); {@code threadLocal}: the bare ThreadLocal swap.
 * </ul>
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar DesignSketchBenchmark
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar 'DesignSketchBenchmark.read_' -p nVars=1,1000
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class DesignSketchBenchmark {

    private static final Object ABSENT = new Object();
    private static final Runnable NOOP = () -> { };

    /** Stand-in for today's VarMap: root array and shift behind one more object. */
    static final class SketchMap {
        final Object[] root;
        final int shift;

        SketchMap(Object[] root, int shift) {
            this.root = root;
            this.shift = shift;
        }
    }

    /** Stand-in for today's Context: holds a map. */
    static final class SketchContext {
        SketchMap map;
        SketchContext previous;
        volatile Thread owner;
    }

    /** Stand-in for a flattened per-thread context: holds the root array and shift itself. */
    static final class FlatContext {
        Object[] root;
        int shift;
    }

    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(SketchContext.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final ThreadLocal<SketchContext> NOW = new ThreadLocal<>();
    private static final ThreadLocal<FlatContext> FLAT = new ThreadLocal<>();
    private static final ThreadLocal<Object[]> FLOOR = new ThreadLocal<>();

    /** How many vars the context holds (the read rows' trie depth: 1 up to 32, 2 up to 1,024). */
    @Param({"1"})
    public int nVars;

    /** The id the sketches read: var 0, like the library rows; a field, so the JIT cannot fold it. */
    private int id;

    private Fixtures.Installed installed;
    private Context ours;
    private SketchContext sketch;

    /** One value in every store; the sketches get the same one-leaf shape as the library. */
    @Setup(Level.Iteration)
    public void install() {
        installed = new Fixtures.Installed(nVars);
        id = 0;
        ours = Context.copyCurrent();
        SketchMap map = trie(nVars);
        SketchContext now = new SketchContext();
        now.map = map;
        NOW.set(now);
        FlatContext flat = new FlatContext();
        flat.root = map.root;
        flat.shift = map.shift;
        FLAT.set(flat);
        FLOOR.set(floor(nVars));
        sketch = new SketchContext();
        sketch.map = now.map;
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        NOW.remove();
        FLAT.remove();
        FLOOR.remove();
        installed.close();
    }

    /** The library's trie shape for vars 0..n-1 (n <= 1,024): one leaf, or a root of leaves. */
    private static SketchMap trie(int n) {
        if (n > 1024) {
            throw new IllegalArgumentException("sketch tries hold up to 1,024 vars: " + n);
        }
        Object[][] leaves = new Object[(n + 31) / 32][];
        for (int i = 0; i < n; i++) {
            Object[] leaf = leaves[i / 32];
            if (leaf == null) {
                leaf = new Object[2 * Math.min(32, n - i / 32 * 32)];
                leaves[i / 32] = leaf;
            }
            leaf[2 * (i % 32)] = VARS[i];
            leaf[2 * (i % 32) + 1] = VALUE;
        }
        return leaves.length == 1 ? new SketchMap(leaves[0], 0) : new SketchMap(leaves, 5);
    }

    /** The floor sketch's array for vars 0..n-1: values only, one level up to 32, two up to 1,024. */
    private static Object[] floor(int n) {
        if (n <= 32) {
            Object[] values = new Object[n];
            java.util.Arrays.fill(values, VALUE);
            return values;
        }
        Object[] root = new Object[(n + 31) / 32];
        for (int i = 0; i < root.length; i++) {
            Object[] leaf = new Object[Math.min(32, n - i * 32)];
            java.util.Arrays.fill(leaf, VALUE);
            root[i] = leaf;
        }
        return root;
    }

    /** The library's trie walk, on a root array and shift. */
    private static Object find(Object[] node, int s, int id) {
        int i = id >>> s;
        while (s != 0) {
            if (i >= node.length) {
                return ABSENT;
            }
            node = (Object[]) node[i];
            if (node == null) {
                return ABSENT;
            }
            s -= 5;
            i = (id >>> s) & 31;
        }
        i <<= 1;
        return i < node.length && node[i] != null ? node[i + 1] : ABSENT;
    }

    // ---- read ----

    @Benchmark
    public Object read_ours() {
        return VARS[0].get();
    }

    @Benchmark
    public Object read_threadLocal() {
        return THREAD_LOCALS[0].get();
    }

    @Benchmark
    public Object read_sketchNow() {
        SketchContext c = NOW.get();
        if (c != null) {
            SketchMap m = c.map;
            Object v = find(m.root, m.shift, id);
            if (v != ABSENT) {
                return v;
            }
        }
        return null;
    }

    @Benchmark
    public Object read_sketchFlat() {
        FlatContext c = FLAT.get();
        if (c != null) {
            Object v = find(c.root, c.shift, id);
            if (v != ABSENT) {
                return v;
            }
        }
        return null;
    }

    @Benchmark
    public Object read_sketchUnrolled() {
        return unrolled(FLAT.get(), id);
    }

    /**
     * The floor of any read through a {@code ThreadLocal} into a persistent map (issue 15): the
     * thread-local holds the map's array itself (no context object), values only (no key check),
     * indexed by id, with the depth fixed by {@code nVars} at setup (no depth dispatch). A real
     * store cannot be this bare (it needs the context for {@code set}, a key or marker for
     * "absent", and the depth at run time); whatever this row costs over {@code threadLocal} is
     * out of reach of every design that keeps a per-thread current context in a
     * {@code ThreadLocal}.
     */
    @Benchmark
    public Object read_sketchFloor() {
        Object[] a = FLOOR.get();
        if (a == null) {
            return null;
        }
        int i = id;
        if (nVars > 32) {
            int c = i >>> 5;
            if (c >= a.length || (a = (Object[]) a[c]) == null) {
                return null;
            }
            i &= 31;
        }
        return i < a.length ? a[i] : null;
    }

    /** The read of {@link #read_sketchUnrolled}: the walk written out for depths 1 and 2. */
    private static Object unrolled(FlatContext c, int id) {
        if (c != null) {
            Object[] node = c.root;
            int s = c.shift;
            Object v;
            if (s == 0) {
                int i = id << 1;
                v = i < node.length && node[i] != null ? node[i + 1] : ABSENT;
            } else if (s == 5) {
                int i = id >>> 5;
                Object[] leaf = i < node.length ? (Object[]) node[i] : null;
                int j = (id & 31) << 1;
                v = leaf != null && j < leaf.length && leaf[j] != null ? leaf[j + 1] : ABSENT;
            } else {
                v = find(node, s, id);
            }
            if (v != ABSENT) {
                return v;
            }
        }
        return null;
    }

    // ---- enter + exit around a no-op ----

    @Benchmark
    public void enterExit_ours() {
        ours.run(NOOP);
    }

    @Benchmark
    public void enterExit_threadLocal() {
        SketchContext previous = NOW.get();
        NOW.set(sketch);
        try {
            NOOP.run();
        } finally {
            NOW.set(previous);
        }
    }

    @Benchmark
    public void enterExit_sketchCasVolatile() {
        SketchContext c = claim(sketch);
        try {
            runInside(c);
        } finally {
            OWNER.setVolatile(c, (Thread) null);
        }
    }

    @Benchmark
    public void enterExit_sketchCasRelease() {
        SketchContext c = claim(sketch);
        try {
            runInside(c);
        } finally {
            OWNER.setRelease(c, (Thread) null);
        }
    }

    @Benchmark
    public void enterExit_sketchPlain() {
        SketchContext c = sketch;
        OWNER.set(c, Thread.currentThread());
        try {
            runInside(c);
        } finally {
            OWNER.set(c, (Thread) null);
        }
    }

    /** The S7 claim the library makes for a context the application can reach: a CAS. */
    private static SketchContext claim(SketchContext c) {
        if (!OWNER.compareAndSet(c, (Thread) null, Thread.currentThread())) {
            throw new IllegalStateException("already entered");
        }
        return c;
    }

    /** What every enter/exit scheme shares: swap the thread's current context around the body. */
    private static void runInside(SketchContext c) {
        c.previous = NOW.get();
        NOW.set(c);
        try {
            NOOP.run();
        } finally {
            NOW.set(c.previous);
            c.previous = null;
        }
    }
}
