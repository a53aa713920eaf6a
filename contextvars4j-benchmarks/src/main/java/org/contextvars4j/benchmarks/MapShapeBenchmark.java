package org.contextvars4j.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.internal.VarMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The design record for the persistent map behind a {@code Context} (issue 2): the library's
 * array-mapped trie keyed by dense var ids ({@link VarMap}, rows {@code _amt}) against a
 * hash-array-mapped trie of the CPython {@code hamt.c} / gRPC kind ({@link HamtPrototype},
 * rows {@code _hamt}), holding {@code size} entries.
 *
 * <p>Rows ({@code <operation>_<shape>}): {@code get} of the last key inserted; {@code set}: a new
 * value for a key already present (what {@code ContextVar.set} does to the map); {@code insert}:
 * a key not yet present; {@code setReset}: a set and then the old value written back (what
 * {@code set} + {@code reset} do to the map today). Each map is built directly, without a
 * {@code Context}: the rows measure the shape only. Keys are the same objects for both shapes:
 * the AMT uses their dense id, the HAMT their cached random hash (as CPython caches a var's
 * hash).
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar MapShapeBenchmark -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class MapShapeBenchmark {

    private static final Object ABSENT = new Object();

    /** A map key: a dense id for the AMT and a random, cached hash for the HAMT. */
    static final class Key {
        final int id;
        private final int hash;

        Key(int id, int hash) {
            this.id = id;
            this.hash = hash;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }
    }

    /** How many entries each map holds. */
    @Param({"1", "8", "32", "1000"})
    public int size;

    private Object[] amt;
    private HamtPrototype hamt;
    private Key probe;
    private Key fresh;

    /** Builds both maps with the same keys and checks that they agree. */
    @Setup
    public void build() {
        SplittableRandom random = new SplittableRandom(567);
        Key[] keys = new Key[size + 1];
        amt = VarMap.EMPTY;
        hamt = HamtPrototype.EMPTY;
        for (int i = 0; i <= size; i++) {
            keys[i] = new Key(i, random.nextInt());
        }
        for (int i = 0; i < size; i++) {
            amt = VarMap.with(amt, i, keys[i], Fixtures.VALUE);
            hamt = hamt.with(keys[i], Fixtures.VALUE);
        }
        probe = keys[size - 1];
        fresh = keys[size];
        for (int i = 0; i <= size; i++) {
            Object expected = i < size ? Fixtures.VALUE : ABSENT;
            if (VarMap.get(amt, i, ABSENT) != expected || hamt.get(keys[i], ABSENT) != expected) {
                throw new IllegalStateException("maps disagree at key " + i + " of " + size);
            }
        }
        if (VarMap.size(amt) != size || hamt.size() != size) {
            throw new IllegalStateException("sizes: amt " + VarMap.size(amt) + ", hamt " + hamt.size() + ", expected " + size);
        }
    }

    @Benchmark
    public Object get_amt() {
        return VarMap.get(amt, probe.id, ABSENT);
    }

    @Benchmark
    public Object get_hamt() {
        return hamt.get(probe, ABSENT);
    }

    @Benchmark
    public Object set_amt() {
        return VarMap.with(amt, probe.id, probe, Fixtures.OTHER);
    }

    @Benchmark
    public Object set_hamt() {
        return hamt.with(probe, Fixtures.OTHER);
    }

    @Benchmark
    public Object insert_amt() {
        return VarMap.with(amt, fresh.id, fresh, Fixtures.VALUE);
    }

    @Benchmark
    public Object insert_hamt() {
        return hamt.with(fresh, Fixtures.VALUE);
    }

    @Benchmark
    public Object setReset_amt() {
        return VarMap.with(VarMap.with(amt, probe.id, probe, Fixtures.OTHER), probe.id, probe, Fixtures.VALUE);
    }

    @Benchmark
    public Object setReset_hamt() {
        return hamt.with(probe, Fixtures.OTHER).with(probe, Fixtures.VALUE);
    }
}
