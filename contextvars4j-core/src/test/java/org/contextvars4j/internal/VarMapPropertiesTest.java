package org.contextvars4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import org.contextvars4j.ContextLeakGuard;
import org.contextvars4j.proptest.Draws;
import org.contextvars4j.proptest.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link VarMap} against a {@link HashMap} model (SPEC section 7): random sequences of
 * {@code with}, {@code without} and copies (snapshots that must never change afterwards), with ids
 * spread so that every trie depth, growth and root collapse are exercised. After every step:
 * {@code get}, {@code containsId}, {@code size}, {@code forEach} (order and contents) and the
 * shape invariants of the header comment (trimmed arrays, no stale values, collapsed root, minimal
 * depth). The map does not hash, so there are no hash collisions to force; the nearest things, ids
 * that share all their high chunks, their low chunk, or every chunk but one, have their own
 * properties.
 *
 * <p>14,000 cases per run (seven properties of 2,000), each run through the leak guard; a failing
 * case is shrunk and reported with its seed ({@link Property}).
 */
@ExtendWith(ContextLeakGuard.class)
class VarMapPropertiesTest {

    private static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "(absent)";
        }
    };
    private static final int MAX_OPS = 120;
    private static final int TRIES = 2_000;

    enum Kind { WITH, WITHOUT_PRESENT, WITHOUT_ANY, COPY }

    /** One step; {@code pick} chooses a present id (in id order, modulo their number) for WITHOUT_PRESENT. */
    record Op(Kind kind, int id, int pick, Integer value) {
        @Override
        public String toString() {
            return switch (kind) {
                case WITH -> "with(" + id + ", " + value + ")";
                case WITHOUT_PRESENT -> "withoutPresent(#" + pick + ")";
                case WITHOUT_ANY -> "without(" + id + ")";
                case COPY -> "copy";
            };
        }
    }

    /** The key object stored with an id, as a ContextVar is in real use. */
    record Key(int id) {
    }

    // ---------------------------------------------------------------- properties

    @Test
    @DisplayName("SPEC 7: ids 0-31, one leaf, match a HashMap model")
    void operations_idsInOneLeaf_matchModel() {
        Property.check(TRIES, d -> ops(d, dd -> dd.below(32)), VarMapPropertiesTest::replay);
    }

    @Test
    @DisplayName("SPEC 7: ids over two levels match a HashMap model")
    void operations_idsOverTwoLevels_matchModel() {
        Property.check(TRIES, d -> ops(d, dd -> spread(dd, 1100)), VarMapPropertiesTest::replay);
    }

    @Test
    @DisplayName("SPEC 7: ids at every depth up to 2^29 match a HashMap model")
    void operations_idsSpreadWide_matchModel() {
        Property.check(TRIES, d -> ops(d, VarMapPropertiesTest::anyId), VarMapPropertiesTest::replay);
    }

    @Test
    @DisplayName("SPEC 7: ids sharing all their high chunks (one deep leaf) match a HashMap model")
    void operations_idsSharingAllHighChunks_matchModel() {
        // every id of one case differs only in the lowest 5 bits: they all land in one leaf, deep down
        Property.check(TRIES, d -> {
            int high = d.below(1 << 24);
            return ops(d, dd -> high << 5 | dd.below(32));
        }, VarMapPropertiesTest::replay);
    }

    @Test
    @DisplayName("SPEC 7: ids sharing their low chunk match a HashMap model")
    void operations_idsSharingTheLowChunk_matchModel() {
        // every id of one case has the same lowest 5 bits: each sits alone at the same slot of its own leaf
        Property.check(TRIES, d -> {
            int low = d.below(32);
            return ops(d, dd -> (dd.percent(20) ? dd.below(41) : dd.below(1 << 24)) << 5 | low);
        }, VarMapPropertiesTest::replay);
    }

    @Test
    @DisplayName("SPEC 7: ids equal in every chunk but one (the trie's full collisions) match a HashMap model")
    void operations_idsDifferingInOneChunk_matchModel() {
        // the array-mapped trie's equivalent of a full-hash collision: the ids share their high and
        // their low chunks and pile up in one node at the level of the chunk that differs
        Property.check(TRIES, d -> {
            int base = d.below(VarMap.MAX_ID + 1);
            int shift = 5 * d.below(6);
            int width = shift == 25 ? 16 : 32;      // the top chunk has 4 bits: ids stay below 2^29
            return ops(d, dd -> base & ~(31 << shift) | dd.below(width) << shift);
        }, VarMapPropertiesTest::replay);
    }

    /** Invariant 3 and 2 together: equal contents give equal shapes, whatever the build order. */
    @Test
    @DisplayName("SPEC 7: any build order, with detours, gives the same canonical shape")
    void build_anyOrderAndDetours_sameCanonicalShape() {
        Property.check(TRIES, d -> new Builds(idSet(d), idSet(d), d.below(Long.MAX_VALUE)), b -> {
            List<Integer> ids = b.ids();
            Object[] ascending = build(ids.stream().sorted().toList());
            Object[] descending = build(ids.stream().sorted(Collections.reverseOrder()).toList());
            List<Integer> shuffled = new ArrayList<>(ids);
            Collections.shuffle(shuffled, new Random(b.shuffleSeed()));
            Object[] viaDetour = build(shuffled);
            for (int id : b.detour()) {                // add other ids, then take them away again
                if (!ids.contains(id)) {
                    viaDetour = VarMap.with(viaDetour, id, new Key(id), id);
                }
            }
            for (int id : b.detour()) {
                if (!ids.contains(id)) {
                    viaDetour = VarMap.without(viaDetour, id);
                }
            }
            for (Object[] m : List.of(descending, viaDetour)) {
                assertThat(VarMap.size(m)).isEqualTo(VarMap.size(ascending));
                assertThat(VarMap.depth(m)).isEqualTo(VarMap.depth(ascending));
                assertThat(VarMap.shift(m)).isEqualTo(VarMap.shift(ascending));
                assertThat(Arrays.deepEquals(m, ascending)).as("canonical shape (tags compare by level and size)").isTrue();
            }
            assertShape(viaDetour);
            assertThat(VarMap.depth(ascending)).isEqualTo(minimalDepth(ids.stream().mapToInt(i -> i).max().orElse(0)));
        });
    }

    /** A case of the canonical-shape property: the ids, the detour ids, the shuffle's seed. */
    record Builds(List<Integer> ids, List<Integer> detour, long shuffleSeed) {
    }

    // ---------------------------------------------------------------- the model run

    private static void replay(List<Op> ops) {
        Object[] map = VarMap.EMPTY;
        Map<Integer, Integer> model = new HashMap<>();
        List<Map.Entry<Object[], Map<Integer, Integer>>> snapshots = new ArrayList<>();
        List<Integer> touched = new ArrayList<>();
        for (Op op : ops) {
            touched.add(op.id());
            switch (op.kind()) {
                case WITH -> {
                    map = VarMap.with(map, op.id(), new Key(op.id()), op.value());
                    model.put(op.id(), op.value());
                }
                case WITHOUT_PRESENT -> {
                    if (!model.isEmpty()) {
                        List<Integer> present = new ArrayList<>(new TreeMap<>(model).keySet());
                        int id = present.get(Math.floorMod(op.pick(), present.size()));
                        map = VarMap.without(map, id);
                        model.remove(id);
                    }
                }
                case WITHOUT_ANY -> {
                    Object[] before = map;
                    map = VarMap.without(map, op.id());
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
        for (Map.Entry<Object[], Map<Integer, Integer>> s : snapshots) {
            assertMatches(s.getKey(), s.getValue(), touched);   // invariant 1: published maps never change
        }
    }

    private static void assertMatches(Object[] map, Map<Integer, Integer> model, List<Integer> probes) {
        // Plain checks rather than AssertJ: this runs after every step of 14,000 sequences.
        check(VarMap.size(map) == model.size(), "size() = %d, model %d", VarMap.size(map), model.size());
        for (Map.Entry<Integer, Integer> e : model.entrySet()) {
            int id = e.getKey();
            check(Objects.equals(VarMap.get(map, id, ABSENT), e.getValue()), "get(%d) = %s, model %s", id, VarMap.get(map, id, ABSENT),
                    e.getValue());
            check(VarMap.containsId(map, id), "containsId(%d) false for a present id", id);
        }
        // Probe the ids of the last few steps and their neighbours in the trie (all of them would be
        // quadratic in the sequence length); earlier ids were probed when they were recent.
        for (int id : probes.subList(Math.max(0, probes.size() - 6), probes.size())) {
            for (int probe : new int[] {id, id + 1, id ^ 32, id ^ 1024, VarMap.MAX_ID}) {
                if (probe >= 0 && probe <= VarMap.MAX_ID && !model.containsKey(probe)) {
                    check(VarMap.get(map, probe, ABSENT) == ABSENT && !VarMap.containsId(map, probe), "absent id %d found", probe);
                }
            }
        }
        int[] ids = model.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] seen = {0};
        VarMap.forEach(map, (k, v) -> {
            int at = seen[0]++;
            int id = ((Key) k).id();
            check(at < ids.length && id == ids[at], "forEach gave id %d at position %d, model ids in order %s", id, at,
                    Arrays.toString(ids));
            check(Objects.equals(v, model.get(id)), "forEach gave %d=%s, model %s", id, v, model.get(id));
        });
        check(seen[0] == ids.length, "forEach gave %d entries, model %d", seen[0], ids.length);
        assertShape(map);
        int depth = minimalDepth(ids.length == 0 ? 0 : ids[ids.length - 1]);
        check(VarMap.depth(map) == depth, "depth() = %d, minimal depth %d", VarMap.depth(map), depth);
    }

    private static Object[] build(List<Integer> ids) {
        Object[] m = VarMap.EMPTY;
        for (int id : ids) {
            m = VarMap.with(m, id, new Key(id), id);
        }
        return m;
    }

    // ---------------------------------------------------------------- shape invariants

    /** Invariants 2, 3 and 4 of the header comment, plus: no stale value next to an empty key slot. */
    private static void assertShape(Object[] m) {
        int shift = VarMap.shift(m);
        if (VarMap.size(m) == 0) {
            check(m == VarMap.EMPTY, "an empty map that is not EMPTY: length %d, shift %d", m.length, shift);
            return;
        }
        if (shift > 0) {
            check(m.length > 2, "root with a single child not collapsed");
            check(m.length <= 33, "root of length %d", m.length);
        }
        int reachable = countEntries(m, shift);
        check(reachable == VarMap.size(m), "%d entries reachable, size() = %d", reachable, VarMap.size(m));
    }

    /** Counts the entries below {@code node}, checking its shape and that its tag holds its level and that count. */
    private static int countEntries(Object[] node, int s) {
        check(node.length > 1, "empty array below the root");
        check(VarMap.shift(node) == s, "array at shift %d tagged %s", s, node[0]);
        int count = 0;
        if (s == 0) {
            check(node.length % 2 == 1 && node.length <= 65, "leaf of length %d", node.length);
            check(node[node.length - 2] != null, "leaf not trimmed: last pair absent");
            for (int i = 1; i < node.length; i += 2) {
                if (node[i] != null) {
                    count++;
                } else {
                    check(node[i + 1] == null, "stale value %s in an empty pair", node[i + 1]);
                }
            }
        } else {
            check(node.length <= 33, "internal node of length %d", node.length);
            check(node[node.length - 1] != null, "internal node not trimmed: last child absent");
            for (int i = 1; i < node.length; i++) {
                if (node[i] != null) {
                    count += countEntries((Object[]) node[i], s - 5);
                }
            }
        }
        check(VarMap.size(node) == count, "array tagged %s holds %d entries", node[0], count);
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

    // ---------------------------------------------------------------- generators

    /** A sequence of operations; each draws only what its kind needs, so shrunk cases read cleanly. */
    private static List<Op> ops(Draws d, ToIntFunction<Draws> ids) {
        return d.listOf(MAX_OPS, dd -> switch (Kind.values()[dd.weighted(6, 3, 1, 1)]) {
            case WITH -> new Op(Kind.WITH, ids.applyAsInt(dd), 0, value(dd));
            case WITHOUT_PRESENT -> new Op(Kind.WITHOUT_PRESENT, 0, dd.below(1 << 16), null);
            case WITHOUT_ANY -> new Op(Kind.WITHOUT_ANY, ids.applyAsInt(dd), 0, null);
            case COPY -> new Op(Kind.COPY, 0, 0, null);
        });
    }

    /** A value from -3 to 1,000, or null (15%); shrinks towards 0. */
    private static Integer value(Draws d) {
        if (d.percent(15)) {
            return null;
        }
        int v = d.below(1004);
        return v <= 1000 ? v : 1000 - v;
    }

    /** Ids at the chunk boundaries, mixed into the spreads. */
    private static final Integer[] BOUNDARIES = {0, 1, 30, 31, 32, 33, 63, 64, 1023, 1024, 1025, 32767, 32768,
        (1 << 20) - 1, 1 << 20, VarMap.MAX_ID - 1, VarMap.MAX_ID};

    /** Mostly uniform in {@code [0, max]}, one in ten a chunk boundary. */
    private static int spread(Draws d, int max) {
        return d.percent(10) ? d.oneOf(BOUNDARIES) : d.between(0, max);
    }

    /** Any id up to {@link VarMap#MAX_ID}, log-uniform so that every depth of the trie is common. */
    private static int anyId(Draws d) {
        return d.percent(10) ? d.oneOf(BOUNDARIES) : d.below(1 << d.between(0, 29));
    }

    /** Up to 60 distinct ids, each from one of three ranges. */
    private static List<Integer> idSet(Draws d) {
        return d.listOf(60, dd -> switch (dd.below(3)) {
            case 0 -> spread(dd, 31);
            case 1 -> spread(dd, 1100);
            default -> anyId(dd);
        }).stream().distinct().toList();
    }
}
