package org.contextvars4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.contextvars4j.ContextLeakGuard;

/**
 * {@link VarMap} against a {@link HashMap} model: random sequences of {@code with},
 * {@code without} and copies (snapshots that must never change afterwards), with ids spread so
 * that every trie depth, growth and root collapse are exercised. After every step: {@code get},
 * {@code containsId}, {@code size}, {@code forEach} (order and contents) and the shape invariants
 * of the header comment (trimmed arrays, no stale values, collapsed root, minimal depth). The map
 * does not hash, so there are no hash collisions to force; the nearest thing, ids that share all
 * their high chunks or all their low chunks, has its own properties.
 *
 * <p>12,000 tries per run (six properties of 2,000).
 */
@AddLifecycleHook(ContextLeakGuard.class)
class VarMapPropertiesTest {

    private static final Object ABSENT = new Object();
    private static final int MAX_OPS = 120;

    enum Kind { WITH, WITHOUT_PRESENT, WITHOUT_ANY, COPY }

    /** One step; {@code pick} chooses a present id for WITHOUT_PRESENT. */
    record Op(Kind kind, int id, int pick, Integer value) {
    }

    /** The key object stored with an id, as a ContextVar is in real use. */
    record Key(int id) {
    }

    // ---------------------------------------------------------------- properties

    @Property(tries = 2000)
    void operations_idsInOneLeaf_matchModel(@ForAll("smallIds") List<Op> ops) {
        replay(ops);
    }

    @Property(tries = 2000)
    void operations_idsOverTwoLevels_matchModel(@ForAll("midIds") List<Op> ops) {
        replay(ops);
    }

    @Property(tries = 2000)
    void operations_idsSpreadWide_matchModel(@ForAll("wideIds") List<Op> ops) {
        replay(ops);
    }

    @Property(tries = 2000)
    void operations_idsSharingAllHighChunks_matchModel(@ForAll("sharedHighChunks") List<Op> ops) {
        replay(ops);
    }

    @Property(tries = 2000)
    void operations_idsSharingTheLowChunk_matchModel(@ForAll("sharedLowChunk") List<Op> ops) {
        replay(ops);
    }

    /** Invariant 3 and 2 together: equal contents give equal shapes, whatever the build order. */
    @Property(tries = 2000)
    void build_anyOrderAndDetours_sameCanonicalShape(@ForAll("idSets") List<Integer> ids,
            @ForAll("idSets") List<Integer> detour, @ForAll long seed) {
        VarMap ascending = build(ids.stream().sorted().toList());
        VarMap descending = build(ids.stream().sorted(Collections.reverseOrder()).toList());
        List<Integer> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, new Random(seed));
        VarMap viaDetour = build(shuffled);
        for (int id : detour) {                    // add other ids, then take them away again
            if (!ids.contains(id)) {
                viaDetour = viaDetour.with(id, new Key(id), id);
            }
        }
        for (int id : detour) {
            if (!ids.contains(id)) {
                viaDetour = viaDetour.without(id);
            }
        }
        for (VarMap m : List.of(descending, viaDetour)) {
            assertThat(m.size()).isEqualTo(ascending.size());
            assertThat(m.depth()).isEqualTo(ascending.depth());
            assertThat(shift(m)).isEqualTo(shift(ascending));
            assertThat(Arrays.deepEquals(root(m), root(ascending))).as("canonical shape").isTrue();
        }
        assertShape(viaDetour);
        assertThat(ascending.depth()).isEqualTo(minimalDepth(ids.stream().mapToInt(i -> i).max().orElse(0)));
    }

    // ---------------------------------------------------------------- the model run

    private static void replay(List<Op> ops) {
        VarMap map = VarMap.EMPTY;
        Map<Integer, Integer> model = new HashMap<>();
        List<Map.Entry<VarMap, Map<Integer, Integer>>> snapshots = new ArrayList<>();
        List<Integer> touched = new ArrayList<>();
        for (Op op : ops) {
            touched.add(op.id());
            switch (op.kind()) {
                case WITH -> {
                    map = map.with(op.id(), new Key(op.id()), op.value());
                    model.put(op.id(), op.value());
                }
                case WITHOUT_PRESENT -> {
                    if (!model.isEmpty()) {
                        List<Integer> present = new ArrayList<>(new TreeMap<>(model).keySet());
                        int id = present.get(Math.floorMod(op.pick(), present.size()));
                        map = map.without(id);
                        model.remove(id);
                    }
                }
                case WITHOUT_ANY -> {
                    VarMap before = map;
                    map = map.without(op.id());
                    if (!model.containsKey(op.id())) {
                        assertThat(map).as("without an absent id returns the same map").isSameAs(before);
                    }
                    model.remove(op.id());
                }
                case COPY -> snapshots.add(Map.entry(map, new HashMap<>(model)));
                default -> throw new AssertionError(op);
            }
            assertMatches(map, model, touched);
        }
        for (Map.Entry<VarMap, Map<Integer, Integer>> s : snapshots) {
            assertMatches(s.getKey(), s.getValue(), touched);   // invariant 1: published maps never change
        }
    }

    private static void assertMatches(VarMap map, Map<Integer, Integer> model, List<Integer> probes) {
        assertThat(map.size()).isEqualTo(model.size());
        for (Map.Entry<Integer, Integer> e : model.entrySet()) {
            int id = e.getKey();
            check(Objects.equals(map.get(id, ABSENT), e.getValue()), "get(%d) = %s, model %s", id, map.get(id, ABSENT),
                    e.getValue());
            check(map.containsId(id), "containsId(%d) false for a present id", id);
        }
        // Probe the ids of the last few steps and their neighbours in the trie (all of them would be
        // quadratic in the sequence length); earlier ids were probed when they were recent.
        for (int id : probes.subList(Math.max(0, probes.size() - 6), probes.size())) {
            for (int probe : new int[] {id, id + 1, id ^ 32, id ^ 1024, VarMap.MAX_ID}) {
                if (probe >= 0 && probe <= VarMap.MAX_ID && !model.containsKey(probe)) {
                    check(map.get(probe, ABSENT) == ABSENT && !map.containsId(probe), "absent id %d found", probe);
                }
            }
        }
        List<Integer> seenIds = new ArrayList<>();
        List<Integer> seenValues = new ArrayList<>();
        map.forEach((k, v) -> {
            seenIds.add(((Key) k).id());
            seenValues.add((Integer) v);
        });
        TreeMap<Integer, Integer> sorted = new TreeMap<>(model);
        assertThat(seenIds).as("forEach in id order").containsExactlyElementsOf(sorted.keySet());
        assertThat(seenValues).containsExactlyElementsOf(sorted.values());
        assertShape(map);
        assertThat(map.depth()).as("minimal depth").isEqualTo(minimalDepth(sorted.isEmpty() ? 0 : sorted.lastKey()));
    }

    private static VarMap build(List<Integer> ids) {
        VarMap m = VarMap.EMPTY;
        for (int id : ids) {
            m = m.with(id, new Key(id), id);
        }
        return m;
    }

    // ---------------------------------------------------------------- shape invariants

    /** Invariants 2 and 3 of the header comment, plus: no stale value next to an empty key slot. */
    private static void assertShape(VarMap m) {
        Object[] root = root(m);
        int shift = shift(m);
        if (m.size() == 0) {
            assertThat(root).as("empty map root").isEmpty();
            assertThat(shift).isZero();
            return;
        }
        if (shift > 0) {
            assertThat(root.length).as("root with a single child is collapsed").isGreaterThan(1);
            assertThat(root.length).isLessThanOrEqualTo(32);
        }
        assertThat(countEntries(root, shift)).as("entries reachable").isEqualTo(m.size());
    }

    private static int countEntries(Object[] node, int s) {
        check(node.length > 0, "empty array below the root");
        int count = 0;
        if (s == 0) {
            check(node.length % 2 == 0 && node.length <= 64, "leaf of length %d", node.length);
            check(node[node.length - 2] != null, "leaf not trimmed: last pair absent");
            for (int i = 0; i < node.length; i += 2) {
                if (node[i] != null) {
                    count++;
                } else {
                    check(node[i + 1] == null, "stale value %s in an empty pair", node[i + 1]);
                }
            }
            return count;
        }
        check(node.length <= 32, "internal node of length %d", node.length);
        check(node[node.length - 1] != null, "internal node not trimmed: last child absent");
        for (Object child : node) {
            if (child != null) {
                count += countEntries((Object[]) child, s - 5);
            }
        }
        return count;
    }

    /** A cheap assertion for the inner loops (AssertJ per probe made the properties slow). */
    private static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new AssertionError(String.format(format, args));
        }
    }

    static int minimalDepth(int largestId) {
        int depth = 1;
        for (long reach = 32; reach <= largestId; reach *= 32) {
            depth++;
        }
        return depth;
    }

    private static Object[] root(VarMap m) {
        return (Object[]) read(m, ROOT);
    }

    private static int shift(VarMap m) {
        return (Integer) read(m, SHIFT);
    }

    private static final Field ROOT = field("root");
    private static final Field SHIFT = field("shift");

    private static Field field(String name) {
        try {
            Field f = VarMap.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static Object read(VarMap m, Field field) {
        try {
            return field.get(m);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- generators

    private static Arbitrary<List<Op>> ops(Arbitrary<Integer> ids) {
        Arbitrary<Kind> kinds = Arbitraries.frequency(Tuple.of(6, Kind.WITH), Tuple.of(3, Kind.WITHOUT_PRESENT),
                Tuple.of(1, Kind.WITHOUT_ANY), Tuple.of(1, Kind.COPY));
        Arbitrary<Integer> values = Arbitraries.integers().between(-3, 1000).injectNull(0.15);
        return Combinators.combine(kinds, ids, Arbitraries.integers(), values).as(Op::new).list().ofMaxSize(MAX_OPS);
    }

    /** Ids at the chunk boundaries, mixed into every spread. */
    private static Arbitrary<Integer> boundaries() {
        return Arbitraries.of(0, 1, 30, 31, 32, 33, 63, 64, 1023, 1024, 1025, 32767, 32768, (1 << 20) - 1, 1 << 20,
                VarMap.MAX_ID - 1, VarMap.MAX_ID);
    }

    private static Arbitrary<Integer> spread(int max) {
        return Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.integers().between(0, max)), Tuple.of(1, boundaries()));
    }

    @Provide
    Arbitrary<List<Op>> smallIds() {
        return ops(Arbitraries.integers().between(0, 31));
    }

    @Provide
    Arbitrary<List<Op>> midIds() {
        return ops(spread(1100));
    }

    @Provide
    Arbitrary<List<Op>> wideIds() {
        return ops(spread(1 << 20));
    }

    @Provide
    Arbitrary<List<Op>> sharedHighChunks() {
        // every id of one try differs only in the lowest 5 bits: they all land in one leaf, deep down
        return Combinators.combine(Arbitraries.integers().between(0, (1 << 24) - 1), ops(Arbitraries.integers().between(0, 31)))
                .as((high, ops) -> mapIds(ops, low -> high << 5 | low));
    }

    @Provide
    Arbitrary<List<Op>> sharedLowChunk() {
        // every id of one try has the same lowest 5 bits: each sits alone at the same slot of its own leaf
        Arbitrary<Integer> highs = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.integers().between(0, (1 << 24) - 1)),
                Tuple.of(1, Arbitraries.integers().between(0, 40)));
        return Combinators.combine(Arbitraries.integers().between(0, 31), ops(highs))
                .as((low, ops) -> mapIds(ops, high -> high << 5 | low));
    }

    private static List<Op> mapIds(List<Op> ops, IntUnaryOperator f) {
        return ops.stream().map(op -> new Op(op.kind(), f.applyAsInt(op.id()), op.pick(), op.value())).toList();
    }

    @Provide
    Arbitrary<List<Integer>> idSets() {
        return Arbitraries.oneOf(spread(31), spread(1100), spread(1 << 20)).list().uniqueElements().ofMaxSize(60);
    }
}
