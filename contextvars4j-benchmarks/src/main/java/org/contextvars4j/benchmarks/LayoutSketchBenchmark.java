package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.OTHER;
import static org.contextvars4j.benchmarks.Fixtures.THREAD_LOCALS;
import static org.contextvars4j.benchmarks.Fixtures.VALUE;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
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
 * Issue 26, item 2: which trie layout could keep the read of the first or last of 1,000 vars
 * within 1.15x of the 1-var read, and what each layout costs a write. Stand-ins next to the
 * library, in one run; every stand-in reads through a {@code ThreadLocal} holding a
 * context-like object (root array and shift, like {@code Context.root} and {@code Context.shift}),
 * with the id in a non-final field, so the JIT folds neither the map nor the id.
 *
 * <p>Rows ({@code <operation>_<layout>}); {@code which} picks var 0 or var {@code nVars - 1}:
 * <ul>
 *   <li>{@code read_ours}: the library's {@code ContextVar.get()}; {@code read_threadLocal}: the
 *       baseline.
 *   <li>{@code read_amt}: today's layout (the library's own {@code VarMap.find} on a map built
 *       by {@code VarMap.with}): leaves of 32 key/value pairs, depth 2 past id 31.
 *   <li>{@code read_values}: the same trie with value-only leaves (an absent marker in the slot
 *       of a missing id, no key slot): one load and one check fewer, half the leaf.
 *   <li>{@code read_wide}: value-only, with a root of up to 256 values before the first split
 *       (ids 0..255 at depth 1; beyond, a root of 256-value leaves).
 *   <li>{@code read_typed}: a floor for two levels at any size: an {@code Object[][]} of
 *       value-only leaves of 32 (no cast, no depth test, no tag), depth 2 even for 1 var.
 *   <li>{@code read_flat}: one value-only array indexed by id, depth 1 for any number of vars:
 *       the least a layout can do (the write rows show what it costs).
 * </ul>
 * {@code write_<layout>}: replace the value of the var read (the copy a {@code set} makes).
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar LayoutSketchBenchmark -p nVars=1,1000
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class LayoutSketchBenchmark {

    private static final Object ABSENT = new Object();

    /** Stand-in for Context: a root array and its shift. */
    static final class Holder {
        Object[] root;
        int shift;

        Holder(Object[] root, int shift) {
            this.root = root;
            this.shift = shift;
        }
    }

    private static final ThreadLocal<Holder> AMT = new ThreadLocal<>();
    private static final ThreadLocal<Holder> VALUES = new ThreadLocal<>();
    private static final ThreadLocal<Holder> WIDE = new ThreadLocal<>();
    private static final ThreadLocal<Holder> FLAT = new ThreadLocal<>();
    private static final ThreadLocal<Typed> TYPED = new ThreadLocal<>();

    /** Stand-in for a context holding a typed two-level array: no cast on the way down. */
    static final class Typed {
        Object[][] leaves;

        Typed(Object[][] leaves) {
            this.leaves = leaves;
        }
    }

    /** How many vars every store holds. */
    @Param({"1", "1000"})
    public int nVars;

    /** Which var the rows read: the first (index 0) or the last (index nVars - 1). */
    @Param({"first", "last"})
    public String which;

    /** The index read; a field, so that the JIT cannot fold it. */
    private int id;

    private Fixtures.Installed installed;
    private Holder amt;
    private Holder values;
    private Holder wide;
    private Holder flat;

    /** Builds every layout for ids 0..nVars-1 and installs the library's values. */
    @Setup(Level.Iteration)
    public void install() {
        installed = new Fixtures.Installed(nVars);
        id = "first".equals(which) ? 0 : nVars - 1;
        Object[] m = VarMap.EMPTY;
        for (int i = 0; i < nVars; i++) {
            m = VarMap.with(m, i, VARS[i], VALUE);
        }
        amt = new Holder(m, VarMap.shift(m));
        Object[] v = new Object[0];
        int vs = nVars <= 32 ? 0 : 5;
        for (int i = 0; i < nVars; i++) {
            v = valuesWith(v, vs, 32, i, VALUE);
        }
        values = new Holder(v, vs);
        Object[] w = new Object[0];
        int ws = nVars <= 256 ? 0 : 8;
        for (int i = 0; i < nVars; i++) {
            w = valuesWith(w, ws, 256, i, VALUE);
        }
        wide = new Holder(w, ws);
        Object[] f = new Object[nVars];
        Arrays.fill(f, VALUE);
        flat = new Holder(f, 0);
        AMT.set(amt);
        VALUES.set(values);
        WIDE.set(wide);
        FLAT.set(flat);
        Object[][] t = new Object[(nVars + 31) / 32][];
        for (int i = 0; i < t.length; i++) {
            t[i] = new Object[Math.min(32, nVars - 32 * i)];
            Arrays.fill(t[i], VALUE);
        }
        TYPED.set(new Typed(t));
        if (readTyped() != VALUE || readValues() != VALUE || readAmt() != VALUE || readWide() != VALUE || readFlat() != VALUE) {
            throw new IllegalStateException("a layout lost var " + id);
        }
    }

    /** Leaves the thread as it was. */
    @TearDown(Level.Iteration)
    public void uninstall() {
        AMT.remove();
        VALUES.remove();
        WIDE.remove();
        FLAT.remove();
        TYPED.remove();
        installed.close();
    }

    /**
     * A two-level value-only trie (at most): {@code shift} 0 is one array of up to {@code width}
     * values; otherwise a root of leaves of {@code width} values. Missing slots hold
     * {@link #ABSENT}; arrays are trimmed.
     */
    private static Object[] valuesWith(Object[] root, int shift, int width, int id, Object value) {
        if (shift == 0) {
            Object[] copy = Arrays.copyOf(root, Math.max(root.length, id + 1));
            for (int i = root.length; i < id; i++) {
                copy[i] = ABSENT;
            }
            copy[id] = value;
            return copy;
        }
        int c = id >>> shift;
        Object[] copy = Arrays.copyOf(root, Math.max(root.length, c + 1));
        Object[] leaf = c < root.length ? (Object[]) root[c] : null;
        copy[c] = valuesWith(leaf == null ? new Object[0] : leaf, 0, width, id & (width - 1), value);
        return copy;
    }

    private static Object findValues(Object[] root, int shift, int id, int mask) {
        Object[] leaf = root;
        int i = id;
        if (shift != 0) {
            int c = id >>> shift;
            if (c >= root.length || (leaf = (Object[]) root[c]) == null) {
                return ABSENT;
            }
            i = id & mask;
        }
        return i < leaf.length ? leaf[i] : ABSENT;
    }

    private Object readAmt() {
        Holder h = AMT.get();
        return h == null ? ABSENT : VarMap.find(h.root, h.shift, id, ABSENT);
    }

    private Object readValues() {
        Holder h = VALUES.get();
        return h == null ? ABSENT : findValues(h.root, h.shift, id, 31);
    }

    private Object readWide() {
        Holder h = WIDE.get();
        return h == null ? ABSENT : findValues(h.root, h.shift, id, 255);
    }

    private Object readFlat() {
        Holder h = FLAT.get();
        if (h == null) {
            return ABSENT;
        }
        Object[] a = h.root;
        int i = id;
        return i < a.length ? a[i] : ABSENT;
    }

    private Object readTyped() {
        Typed h = TYPED.get();
        if (h == null) {
            return ABSENT;
        }
        Object[][] a = h.leaves;
        int c = id >>> 5;
        if (c >= a.length) {
            return ABSENT;
        }
        Object[] leaf = a[c];
        int i = id & 31;
        return leaf != null && i < leaf.length ? leaf[i] : ABSENT;
    }

    // ---- read ----

    @Benchmark
    public Object read_ours() {
        return VARS[id].get();
    }

    @Benchmark
    public Object read_threadLocal() {
        return THREAD_LOCALS[id].get();
    }

    @Benchmark
    public Object read_amt() {
        Object v = readAmt();
        return v != ABSENT ? v : null;
    }

    @Benchmark
    public Object read_values() {
        Object v = readValues();
        return v != ABSENT ? v : null;
    }

    @Benchmark
    public Object read_wide() {
        Object v = readWide();
        return v != ABSENT ? v : null;
    }

    @Benchmark
    public Object read_flat() {
        Object v = readFlat();
        return v != ABSENT ? v : null;
    }

    @Benchmark
    public Object read_typed() {
        Object v = readTyped();
        return v != ABSENT ? v : null;
    }

    // ---- write: the copy a set makes ----

    @Benchmark
    public Object write_amt() {
        return VarMap.with(amt.root, id, VARS[id], OTHER);
    }

    @Benchmark
    public Object write_values() {
        return valuesWith(values.root, values.shift, 32, id, OTHER);
    }

    @Benchmark
    public Object write_wide() {
        return valuesWith(wide.root, wide.shift, 256, id, OTHER);
    }

    @Benchmark
    public Object write_flat() {
        Object[] copy = flat.root.clone();
        copy[id] = OTHER;
        return copy;
    }
}
