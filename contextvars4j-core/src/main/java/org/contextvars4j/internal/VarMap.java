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
 * Structure: an array-mapped trie (a persistent vector with holes)
 * ----------------------------------------------------------------
 * The id is read five bits at a time, most significant chunk first. Each level of the trie is a
 * plain Object[]; there are no node objects. Two kinds of array:
 *
 *   leaf      shift == 0. Slot pairs: [key0, value0, key1, value1, ...]. The pair for id sits
 *             at index 2 * (id & 31). A pair is present when its key slot is non-null; the value
 *             slot may hold null (null is a legal value, distinct from "absent").
 *   internal  shift > 0. Child arrays: child i covers ids whose chunk at this level is i.
 *
 * The map object itself holds the root array, the root's shift (5 * (depth - 1)) and the size.
 *
 *   ids 0..31 (depth 1, shift 0)        ids 0..1023 (depth 2, shift 5)
 *
 *     root = leaf                          root = internal
 *     [k0 v0 k1 v1 .. k31 v31]             [ leaf(0..31), leaf(32..63), ..., leaf(992..1023) ]
 *
 * Worked example: id 700 in a depth-2 map. 700 = 0b10101_11100: the top chunk
 * (700 >>> 5) = 21 picks root[21], the low chunk (700 & 31) = 28 picks the pair at
 * leaf[56], leaf[57].
 *
 * Invariants (checked by the property tests against a HashMap model)
 * ------------------------------------------------------------------
 *  1. Arrays are never mutated after they are published in a VarMap: every update copies the
 *     path from the root to the changed leaf (structural sharing for everything else).
 *  2. Arrays are trimmed: the last slot of a leaf pair-list and the last child of an internal
 *     node are non-null. An empty sub-trie is represented by null in its parent, never by an
 *     empty array (the root of the empty map is the one exception).
 *  3. The root has the smallest depth that covers its largest id: a root with one child (at
 *     index 0) is collapsed. Together with 2 this makes the shape canonical: equal contents
 *     give equal shapes.
 *  4. Ids are below 2^29, so 2 * id never overflows and the root index never exceeds 31.
 *
 * Costs
 * -----
 *  - get: depth + 1 array loads, no hashing, no allocation. The depth is fixed by the largest id
 *    in the map (log32): 1 for the first 32 vars a program creates, 2 up to 1,024, 3 up to
 *    32,768. It does not depend on how many vars the map holds or where the var sits.
 *  - with / without: copy one array per level (at most 64 references for a leaf, 32 for an
 *    internal node, usually far fewer because arrays are trimmed). O(log32 n).
 *  - copy: O(1). A VarMap is immutable; a Context copy shares it.
 *
 * Why not a hash-array-mapped trie (CPython hamt.c, gRPC)? A HAMT needs a hash, a bitmap test
 * and a popcount per level, and a key comparison at the leaf; dense ids make all three
 * unnecessary. The benchmarks module measures both shapes side by side
 * (MapShapeBenchmark); see docs/design.md for the figures.
 */

/**
 * An immutable map from context-variable ids to values, with O(1) copy and O(log32 n) update.
 * Internal: not exported from the module. See the header comment in the source for the
 * structure, its invariants and its costs.
 */
public final class VarMap {

    /** Bits of the id consumed per trie level. */
    private static final int BITS = 5;
    private static final int WIDTH = 1 << BITS;
    private static final int MASK = WIDTH - 1;

    /** Ids must stay below this bound (invariant 4). */
    public static final int MAX_ID = (1 << 29) - 1;

    private static final Object[] NO_SLOTS = new Object[0];

    /** The empty map. */
    public static final VarMap EMPTY = new VarMap(NO_SLOTS, 0, 0);

    private final Object[] root;
    private final int shift;
    private final int size;

    private VarMap(Object[] root, int shift, int size) {
        this.root = root;
        this.shift = shift;
        this.size = size;
    }

    /** {@return the root array; never modified, shared by every copy} */
    public Object[] rootArray() {
        return root;
    }

    /** {@return the root shift: 5 &times; (depth - 1)} */
    public int rootShift() {
        return shift;
    }

    /** {@return the number of entries} */
    public int size() {
        return size;
    }

    /**
     * Looks up an id.
     *
     * @param id the key's id
     * @param absent what to return when the id is not in the map
     * @return the value mapped to {@code id} (possibly null), or {@code absent}
     */
    public Object get(int id, Object absent) {
        return find(root, shift, id, absent);
    }

    /**
     * Looks up an id in a trie given by its root array and shift, as returned by
     * {@link #rootArray()} and {@link #rootShift()}: the read path of {@code ContextVar.get},
     * which keeps those two next to each other so that a read saves one dependent load.
     *
     * @param root the root array of a map
     * @param shift the root shift of the same map
     * @param id the key's id
     * @param absent what to return when the id is not in the map
     * @return the value mapped to {@code id} (possibly null), or {@code absent}
     */
    public static Object find(Object[] root, int shift, int id, Object absent) {
        // Depths 1 and 2 (every program with up to 1,024 vars) are written out: no loop, one
        // dependent load fewer at depth 2. Deeper tries take the general walk.
        Object[] leaf = root;
        int i;
        if (shift == 0) {
            i = id << 1;                   // unmasked: an id beyond 31 falls past the end
        } else if (shift == BITS) {
            int c = id >>> BITS;           // unmasked: an id beyond 1,023 falls past the end
            if (c >= root.length || (leaf = (Object[]) root[c]) == null) {
                return absent;
            }
            i = (id & MASK) << 1;
        } else {
            return findDeep(root, shift, id, absent);
        }
        return i < leaf.length && leaf[i] != null ? leaf[i + 1] : absent;
    }

    private static Object findDeep(Object[] root, int shift, int id, Object absent) {
        Object[] node = root;
        int s = shift;
        // The root index is not masked: an id beyond the root's reach gives an index past the
        // end of the (at most 32-wide) root array and falls out as absent.
        int i = id >>> s;
        while (s != 0) {
            if (i >= node.length) {
                return absent;
            }
            node = (Object[]) node[i];
            if (node == null) {
                return absent;
            }
            s -= BITS;
            i = (id >>> s) & MASK;
        }
        i <<= 1;
        return i < node.length && node[i] != null ? node[i + 1] : absent;
    }

    /**
     * {@return whether {@code id} is in the map}
     *
     * @param id the key's id
     */
    public boolean containsId(int id) {
        return get(id, NO_SLOTS) != NO_SLOTS;
    }

    /**
     * {@return a map that also maps {@code id} (with its key object) to {@code value}}
     *
     * @param id the key's id, at most {@link #MAX_ID}
     * @param key the key object, kept for enumeration; never null
     * @param value the value, may be null
     */
    public VarMap with(int id, Object key, Object value) {
        assert key != null && id >= 0 && id <= MAX_ID;
        int newSize = containsId(id) ? size : size + 1;
        Object[] r = root;
        int s = shift;
        if (size == 0) {
            s = 0;
            while ((id >>> s) > MASK) {
                s += BITS;
            }
        } else {
            while ((id >>> s) > MASK) {      // grow: the old root becomes child 0 of a new root
                r = new Object[] {r};
                s += BITS;
            }
        }
        return new VarMap(put(r, s, id, key, value), s, newSize);
    }

    private static Object[] put(Object[] node, int s, int id, Object key, Object value) {
        if (s == 0) {
            int i = (id & MASK) << 1;
            Object[] copy = Arrays.copyOf(node, Math.max(node.length, i + 2));
            copy[i] = key;
            copy[i + 1] = value;
            return copy;
        }
        int i = (id >>> s) & MASK;
        Object[] child = i < node.length ? (Object[]) node[i] : null;
        Object[] newChild = put(child == null ? NO_SLOTS : child, s - BITS, id, key, value);
        Object[] copy = Arrays.copyOf(node, Math.max(node.length, i + 1));
        copy[i] = newChild;
        return copy;
    }

    /**
     * {@return a map without {@code id}; this map when {@code id} is absent}
     *
     * @param id the key's id
     */
    public VarMap without(int id) {
        if (!containsId(id)) {
            return this;
        }
        if (size == 1) {
            return EMPTY;
        }
        Object[] r = remove(root, shift, id);
        int s = shift;
        while (s != 0 && r.length == 1) {   // invariant 3: collapse a root with a single child
            r = (Object[]) r[0];
            s -= BITS;
        }
        return new VarMap(r, s, size - 1);
    }

    /** Removes a present id; returns the trimmed copy, or null when it becomes empty. */
    private static Object[] remove(Object[] node, int s, int id) {
        int i;
        Object[] copy;
        if (s == 0) {
            i = (id & MASK) << 1;
            copy = node.clone();
            copy[i] = null;
            copy[i + 1] = null;
        } else {
            i = (id >>> s) & MASK;
            copy = node.clone();
            copy[i] = remove((Object[]) node[i], s - BITS, id);
        }
        int step = s == 0 ? 2 : 1;       // a leaf is trimmed by pairs, keyed by the key slot
        int end = copy.length;
        while (end > 0 && copy[end - step] == null) {
            end -= step;
        }
        return end == 0 ? null : end == copy.length ? copy : Arrays.copyOf(copy, end);
    }

    /**
     * Calls {@code action} with each key object and value, in id order.
     *
     * @param action receives each key object and its value (possibly null)
     */
    public void forEach(BiConsumer<Object, Object> action) {
        walk(root, shift, action);
    }

    private static void walk(Object[] node, int s, BiConsumer<Object, Object> action) {
        if (s == 0) {
            for (int i = 0; i < node.length; i += 2) {
                if (node[i] != null) {
                    action.accept(node[i], node[i + 1]);
                }
            }
            return;
        }
        for (Object child : node) {
            if (child != null) {
                walk((Object[]) child, s - BITS, action);
            }
        }
    }

    /** {@return the depth of the trie, 1 for a single leaf} (for tests and benchmarks) */
    public int depth() {
        return shift / BITS + 1;
    }
}
