package org.contextvars4j.internal;

import java.util.Arrays;
import java.util.function.BiConsumer;

/*
 * VarMap: the persistent map behind every Context.
 *
 * What it stores
 * --------------
 * A finite mapping from context variables to values. Every ContextVar gets a dense, never
 * reused integer id when it is created (0, 1, 2, ...). The map is keyed by that id, so a
 * lookup never hashes, never compares keys for equality and never meets a collision.
 *
 * Structure: an array-mapped trie (a persistent vector with holes), made of bare arrays
 * -------------------------------------------------------------------------------------
 * A map *is* its root array: there is no map object around it (issue 15, see "Why bare arrays"
 * below). The id is read five bits at a time, most significant chunk first. Each level of the
 * trie is a plain Object[] whose slot 0 holds a Tag: the array's level (its shift) and the number
 * of entries below it. Two kinds of array:
 *
 *   leaf      shift == 0. [tag, key0, value0, key1, value1, ...]. The pair for id sits at
 *             1 + 2 * (id & 31). A pair is present when its key slot is non-null; the value slot
 *             may hold null (null is a legal value, distinct from "absent").
 *   internal  shift > 0. [tag, child0, child1, ...]: child i (at 1 + i) covers the ids whose
 *             chunk at this level is i.
 *
 *   ids 0..31 (depth 1, shift 0)            ids 0..1023 (depth 2, shift 5)
 *
 *     root = leaf                              root = internal
 *     [t k0 v0 k1 v1 .. k31 v31]               [t, leaf(0..31), leaf(32..63), ..., leaf(992..1023)]
 *
 * Worked example: id 700 in a depth-2 map. 700 = 0b10101_11100: the top chunk
 * (700 >>> 5) = 21 picks root[1 + 21], the low chunk (700 & 31) = 28 picks the pair at
 * leaf[57], leaf[58].
 *
 * Invariants (checked by the property tests against a HashMap model)
 * ------------------------------------------------------------------
 *  1. Arrays are never mutated after they are published: every update copies the path from the
 *     root to the changed leaf (structural sharing for everything else).
 *  2. Arrays are trimmed: the last pair of a leaf and the last child of an internal node are
 *     present. An empty sub-trie is null in its parent, never an empty array; the empty map is
 *     the one array EMPTY.
 *  3. The root has the smallest depth that covers its largest id: a root with one child (at
 *     index 0) is collapsed. Together with 2 this makes the shape canonical.
 *  4. Every array's tag is Tag(its shift, entries below it). So the root's tag gives the map's
 *     shift and size, and a child that becomes the root (collapse) or a root that becomes a
 *     child (growth) is already correctly tagged.
 *  5. Ids are below 2^29, so 1 + 2 * id never overflows and the root index never exceeds 32.
 *
 * Costs
 * -----
 *  - get: depth + 1 array loads, no hashing, no allocation. The depth is fixed by the largest id
 *    in the map (log32): 1 for the first 32 vars a program creates, 2 up to 1,024, 3 up to
 *    32,768. It does not depend on how many vars the map holds or where the var sits.
 *  - with / without: copy one array per level. O(log32 n). Tags for up to 64 entries per level
 *    are preallocated, so an update of a small map allocates only the copied arrays.
 *  - size: one load (the root's tag).
 *
 * Why a second level past id 31, and no wider root (issue 26, item 2)
 * -------------------------------------------------------------------
 * A read at depth 2 pays one dependent load more than at depth 1 (root -> leaf, with its null,
 * bounds and cast checks). An L1 hit alone is 4-5 cycles, 1.5-1.9 ns at the 2.6 GHz of the
 * machine measured, 40-50% of a one-level read: no two-level layout keeps a 1,000-var read within
 * 1.15x of a 1-var read. LayoutSketchBenchmark
 * measured the alternatives side by side (docs/benchmarks.md, "Issue 26, item 2"):
 *  - the floor of two levels (a typed Object[][] of value-only leaves: no tag, no depth test, no
 *    cast, no key) read 1.66-1.71x its one-level twin (JDK 17; the older floor sketch in
 *    DesignSketchBenchmark found 1.6-1.7x);
 *  - one level for every id (a flat array, or a root wide enough for 1,000 ids) reads at the
 *    1-var cost, but every set copies the whole array: 6-8x today's write at 1,000 vars (JDK 17);
 *  - a 256-wide root keeps programs with up to 256 vars at depth 1, but costs 2-3x today's write
 *    at 1,000 vars (a 256-slot leaf per copy) and leaves the 1,000-var read at depth 2;
 *  - value-only leaves (an absent marker instead of the key slot) halve the copy of a replace,
 *    but the read was no faster within the noise, and the keys that forEach needs must then live
 *    elsewhere (one more array to copy on every insert).
 * So the layout stays: 32 pairs per leaf, the depth set by the largest id.
 *
 * Why bare arrays (issue 15)
 * --------------------------
 * Until 0.1 a map was an object {root, shift, size}, and a Context held both that object and
 * mirrors of root and shift for the read path. A set then allocated the map object (24 B) and
 * stored two references into the Context. A thread's base context lives as long as the thread,
 * so it is soon in the old generation, and on G1 every store of a new array into an old object
 * takes the post-write barrier's slow path (a StoreLoad fence). With the map being its root
 * array, a set stores one reference and the read path keeps its short chain
 * (Context.root -> leaf); the shift the read needs is an int beside it in the Context, and the
 * tag keeps shift and size consistent for readers on other threads. docs/design.md has the
 * before and after figures.
 *
 * Why not a hash-array-mapped trie (CPython hamt.c, gRPC)? A HAMT needs a hash, a bitmap test
 * and a popcount per level, and a key comparison at the leaf; dense ids make all three
 * unnecessary. The benchmarks module measures both shapes side by side (MapShapeBenchmark).
 */

/**
 * An immutable map from context-variable ids to values, with O(1) copy and O(log32 n) update,
 * represented by its root array. Internal: not exported from the module. See the header comment
 * in the source for the structure, its invariants and its costs.
 */
public final class VarMap {

    /** Bits of the id consumed per trie level. */
    private static final int BITS = 5;
    private static final int WIDTH = 1 << BITS;
    private static final int MASK = WIDTH - 1;
    /** The deepest shift: ids have 29 bits, read in chunks of five from bit 25 down. */
    private static final int MAX_SHIFT = 25;

    /** Ids must stay below this bound (invariant 5). */
    public static final int MAX_ID = (1 << 29) - 1;

    /** Slot 0 of every array: the array's level and the number of entries below it. */
    static final class Tag {
        final int shift;
        final int size;

        Tag(int shift, int size) {
            this.shift = shift;
            this.size = size;
        }

        /** Tags are equal by level and size (shared up to 64 entries, made afresh above). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Tag t && t.shift == shift && t.size == size;
        }

        @Override
        public int hashCode() {
            return 31 * shift + size;
        }

        @Override
        public String toString() {
            return "Tag[shift=" + shift + ", size=" + size + "]";
        }
    }

    /**
     * Tags for up to 64 entries at each level, shared: updates of small maps allocate no tag. 64
     * covers every leaf (at most 32 entries) and the internal nodes of most programs.
     */
    private static final Tag[][] TAGS = new Tag[MAX_SHIFT / BITS + 1][65];

    static {
        for (int level = 0; level < TAGS.length; level++) {
            for (int size = 0; size < TAGS[level].length; size++) {
                TAGS[level][size] = new Tag(level * BITS, size);
            }
        }
    }

    /** The empty map. */
    public static final Object[] EMPTY = {tag(0, 0)};

    private VarMap() {
    }

    private static Tag tag(int shift, int size) {
        return size < 65 ? TAGS[shift / BITS][size] : new Tag(shift, size);
    }

    private static Tag tagOf(Object[] node) {
        return (Tag) node[0];
    }

    /**
     * {@return the root shift of {@code map}: 5 &times; (depth - 1)}
     *
     * @param map a map
     */
    public static int shift(Object[] map) {
        return tagOf(map).shift;
    }

    /**
     * {@return the number of entries in {@code map}}
     *
     * @param map a map
     */
    public static int size(Object[] map) {
        return tagOf(map).size;
    }

    /**
     * {@return the depth of the trie, 1 for a single leaf} (for tests and benchmarks)
     *
     * @param map a map
     */
    public static int depth(Object[] map) {
        return shift(map) / BITS + 1;
    }

    /**
     * Looks up an id.
     *
     * @param map the map
     * @param id the key's id
     * @param absent what to return when the id is not in the map
     * @return the value mapped to {@code id} (possibly null), or {@code absent}
     */
    public static Object get(Object[] map, int id, Object absent) {
        return find(map, shift(map), id, absent);
    }

    /**
     * Looks up an id in a map whose root shift the caller already has: the read path of
     * {@code ContextVar.get}, which keeps the shift beside the root in the Context so that the
     * tag is not loaded.
     *
     * @param map the map
     * @param shift the root shift of the same map
     * @param id the key's id
     * @param absent what to return when the id is not in the map
     * @return the value mapped to {@code id} (possibly null), or {@code absent}
     */
    public static Object find(Object[] map, int shift, int id, Object absent) {
        // Depths 1 and 2 (every program with up to 1,024 vars) are written out: no loop, one
        // dependent load fewer at depth 2. Deeper tries take the general walk.
        Object[] leaf = map;
        int i;
        if (shift == 0) {
            i = (id << 1) + 1;             // unmasked: an id beyond 31 falls past the end
        } else if (shift == BITS) {
            int c = (id >>> BITS) + 1;     // unmasked: an id beyond 1,023 falls past the end
            if (c >= map.length || (leaf = (Object[]) map[c]) == null) {
                return absent;
            }
            i = ((id & MASK) << 1) + 1;
        } else {
            return findDeep(map, shift, id, absent);
        }
        return i < leaf.length && leaf[i] != null ? leaf[i + 1] : absent;
    }

    private static Object findDeep(Object[] map, int shift, int id, Object absent) {
        Object[] node = map;
        int s = shift;
        // The root index is not masked: an id beyond the root's reach gives an index past the
        // end of the (at most 33-long) root array and falls out as absent.
        int i = id >>> s;
        while (s != 0) {
            if (i + 1 >= node.length) {
                return absent;
            }
            node = (Object[]) node[i + 1];
            if (node == null) {
                return absent;
            }
            s -= BITS;
            i = (id >>> s) & MASK;
        }
        i = (i << 1) + 1;
        return i < node.length && node[i] != null ? node[i + 1] : absent;
    }

    /**
     * {@return whether {@code id} is in {@code map}}
     *
     * @param map the map
     * @param id the key's id
     */
    public static boolean containsId(Object[] map, int id) {
        return get(map, id, EMPTY) != EMPTY;
    }

    /**
     * {@return a map that also maps {@code id} (with its key object) to {@code value}}
     *
     * @param map the map
     * @param id the key's id, at most {@link #MAX_ID}
     * @param key the key object, kept for enumeration; never null
     * @param value the value, may be null
     */
    public static Object[] with(Object[] map, int id, Object key, Object value) {
        // One method, iterative, on purpose (issue 15). Its bytecode is larger than C2's
        // FreqInlineSize (325 bytes), so C2 calls it rather than inlining it into
        // ContextVar.set. That keeps set's compiled code under InlineSmallCode (2,500 bytes):
        // set is then inlined into its callers, and a token closed in the same method is removed
        // by escape analysis (set + reset in a try-with-resources block: 88 -> 56 B, JDK 25).
        // VarMapPropertiesTest checks the size (JDK 24 and later, which can read class files).
        assert key != null && id >= 0 && id <= MAX_ID;
        Tag t = tagOf(map);
        Object[] node = map;
        int s = t.shift;
        if (s == 0 && id < WIDTH) {
            // The common case: the map is one leaf and the id fits in it (a program's first
            // 32 vars). Replace in a clone, or add in a longer copy.
            int i = (id << 1) + 1;
            Object[] copy;
            if (i < map.length) {
                copy = map.clone();
                if (map[i] == null) {
                    copy[0] = tag(0, t.size + 1);
                }
            } else {
                copy = Arrays.copyOf(map, i + 2);
                copy[0] = tag(0, t.size + 1);
            }
            copy[i] = key;
            copy[i + 1] = value;
            return copy;
        }
        int added = get(map, id, EMPTY) == EMPTY ? 1 : 0;
        if (t.size == 0) {
            s = 0;                           // an empty map: start at the depth the id needs
            while ((id >>> s) > MASK) {
                s += BITS;
            }
            node = new Object[] {tag(s, 0)};
        } else {
            while ((id >>> s) > MASK) {      // grow: the old root becomes child 0 of a new root
                node = new Object[] {tag(s + BITS, t.size), node};
                s += BITS;
            }
        }
        // Copy the path top-down. Each copy is linked into its parent's copy before the map is
        // returned, so nothing half-built is ever published (invariant 1).
        Object[] root = null;
        Object[] parent = null;
        int parentSlot = 0;
        while (true) {
            int size = tagOf(node).size + added;
            if (s == 0) {
                int i = ((id & MASK) << 1) + 1;
                Object[] leaf = Arrays.copyOf(node, Math.max(node.length, i + 2));
                leaf[0] = tag(0, size);
                leaf[i] = key;
                leaf[i + 1] = value;
                if (parent == null) {
                    return leaf;
                }
                parent[parentSlot] = leaf;
                return root;
            }
            int i = ((id >>> s) & MASK) + 1;
            Object[] copy = Arrays.copyOf(node, Math.max(node.length, i + 1));
            copy[0] = tag(s, size);
            if (parent == null) {
                root = copy;
            } else {
                parent[parentSlot] = copy;
            }
            Object[] child = i < node.length ? (Object[]) node[i] : null;
            s -= BITS;
            node = child != null ? child : new Object[] {tag(s, 0)};
            parent = copy;
            parentSlot = i;
        }
    }

    /**
     * {@return a map without {@code id}; {@code map} itself when {@code id} is absent}
     *
     * @param map the map
     * @param id the key's id
     */
    public static Object[] without(Object[] map, int id) {
        if (!containsId(map, id)) {
            return map;
        }
        if (size(map) == 1) {
            return EMPTY;
        }
        Object[] r = remove(map, shift(map), id);
        while (shift(r) != 0 && r.length == 2) {   // invariant 3: collapse a root with a single child
            r = (Object[]) r[1];
        }
        return r;
    }

    /** Removes a present id; returns the trimmed, retagged copy, or null when it becomes empty. */
    private static Object[] remove(Object[] node, int s, int id) {
        int size = tagOf(node).size - 1;
        if (size == 0) {
            return null;
        }
        Object[] copy = node.clone();
        copy[0] = tag(s, size);
        int step;
        if (s == 0) {
            int i = ((id & MASK) << 1) + 1;
            copy[i] = null;
            copy[i + 1] = null;
            step = 2;                          // a leaf is trimmed by pairs, keyed by the key slot
        } else {
            int i = ((id >>> s) & MASK) + 1;
            copy[i] = remove((Object[]) node[i], s - BITS, id);
            step = 1;
        }
        int end = copy.length;
        while (copy[end - step] == null) {     // size > 0: some slot after the tag is present
            end -= step;
        }
        return end == copy.length ? copy : Arrays.copyOf(copy, end);
    }

    /**
     * Calls {@code action} with each key object and value, in id order.
     *
     * @param map the map
     * @param action receives each key object and its value (possibly null)
     */
    public static void forEach(Object[] map, BiConsumer<Object, Object> action) {
        walk(map, shift(map), action);
    }

    private static void walk(Object[] node, int s, BiConsumer<Object, Object> action) {
        if (s == 0) {
            for (int i = 1; i < node.length; i += 2) {
                if (node[i] != null) {
                    action.accept(node[i], node[i + 1]);
                }
            }
            return;
        }
        for (int i = 1; i < node.length; i++) {
            if (node[i] != null) {
                walk((Object[]) node[i], s - BITS, action);
            }
        }
    }
}
