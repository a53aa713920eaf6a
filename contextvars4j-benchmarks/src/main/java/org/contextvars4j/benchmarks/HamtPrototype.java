package org.contextvars4j.benchmarks;

import java.util.Arrays;

/*
 * HamtPrototype: a small persistent hash-array-mapped trie, written for MapShapeBenchmark only.
 *
 * It is the other shape PERFORMANCE.md names for the map behind a Context (CPython's
 * Python/hamt.c, gRPC's PersistentHashArrayMappedTrie), built the way those are built, so that
 * issue 2's choice between it and our array-mapped trie (org.contextvars4j.internal.VarMap) rests
 * on a measurement. It is not used by the library.
 *
 * Structure
 * ---------
 * Keys are compared by identity (context variables are identity keys, SPEC S10) and hashed by
 * hashCode(); the benchmark's keys cache a random 32-bit hash, as CPython caches a ContextVar's
 * hash, so hashing is one field load. The hash is consumed 5 bits at a time, least significant
 * chunk first: level 0 uses bits 0-4, level 1 bits 5-9, ..., level 6 bits 30-31.
 *
 *   Bitmap node   int bitmap + Object[] slots. Bit b of the bitmap is set when some entry's
 *                 chunk at this level is b; the entry lives at pair index popcount(bitmap below
 *                 b), i.e. slots[2i] and slots[2i + 1]. A pair is either (key, value) or
 *                 (null, child node) when two or more keys share the chunk.
 *   Collision     all keys with one full 32-bit hash: a flat list of (key, value) pairs.
 *
 *   Worked example: hash 0b...00101_00011. Level 0 chunk = 0b00011 = 3. With bitmap
 *   0b1001_1010 (bits 1, 3, 4, 7), bit 3 is set and one bit below it is set (bit 1), so the
 *   entry is pair 1: slots[2], slots[3]. If slots[2] is null, slots[3] is a child node and the
 *   lookup continues there with chunk 0b00101 = 5.
 *
 * Costs
 * -----
 *  get: per level, a shift and mask, a bitmap test, a popcount, two loads; an identity compare
 *       at the end. Depth is log32(n) on average (random hashes), not bounded by key position.
 *  with: copies one slots array per level on the path (sized to the occupied entries only).
 *  No ArrayNode (CPython switches to a 32-wide array past 16 entries) and no removal: the
 *  benchmark needs get, replace and insert.
 */

/** A minimal persistent HAMT (get, with) for comparing map shapes; see the header comment. */
final class HamtPrototype {

    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;

    static final HamtPrototype EMPTY = new HamtPrototype(new BitmapNode(0, new Object[0]), 0);

    private final Node root;
    private final int size;

    private HamtPrototype(Node root, int size) {
        this.root = root;
        this.size = size;
    }

    int size() {
        return size;
    }

    /** {@return the value of {@code key}, or {@code absent}} */
    Object get(Object key, Object absent) {
        return root.find(0, key.hashCode(), key, absent);
    }

    /** {@return a map that also maps {@code key} to {@code value}} */
    HamtPrototype with(Object key, Object value) {
        int hash = key.hashCode();
        boolean present = root.find(0, hash, key, MISSING) != MISSING;
        return new HamtPrototype(root.with(0, hash, key, value), present ? size : size + 1);
    }

    private static final Object MISSING = new Object();

    private abstract static class Node {
        abstract Object find(int shift, int hash, Object key, Object absent);

        abstract Node with(int shift, int hash, Object key, Object value);
    }

    private static final class BitmapNode extends Node {
        private final int bitmap;
        private final Object[] slots;

        BitmapNode(int bitmap, Object[] slots) {
            this.bitmap = bitmap;
            this.slots = slots;
        }

        @Override
        Object find(int shift, int hash, Object key, Object absent) {
            int bit = 1 << ((hash >>> shift) & MASK);
            if ((bitmap & bit) == 0) {
                return absent;
            }
            int i = Integer.bitCount(bitmap & (bit - 1)) << 1;
            Object k = slots[i];
            if (k == null) {
                return ((Node) slots[i + 1]).find(shift + BITS, hash, key, absent);
            }
            return k == key ? slots[i + 1] : absent;
        }

        @Override
        Node with(int shift, int hash, Object key, Object value) {
            int bit = 1 << ((hash >>> shift) & MASK);
            int i = Integer.bitCount(bitmap & (bit - 1)) << 1;
            if ((bitmap & bit) == 0) {                          // a new pair at i
                Object[] s = new Object[slots.length + 2];
                System.arraycopy(slots, 0, s, 0, i);
                s[i] = key;
                s[i + 1] = value;
                System.arraycopy(slots, i, s, i + 2, slots.length - i);
                return new BitmapNode(bitmap | bit, s);
            }
            Object k = slots[i];
            Object replacement;
            if (k == null) {                                    // descend
                replacement = ((Node) slots[i + 1]).with(shift + BITS, hash, key, value);
            } else if (k == key) {                              // replace the value
                Object[] s = slots.clone();
                s[i + 1] = value;
                return new BitmapNode(bitmap, s);
            } else {                                            // two keys share this chunk
                replacement = pair(shift + BITS, k.hashCode(), k, slots[i + 1], hash, key, value);
            }
            Object[] s = slots.clone();
            s[i] = null;
            s[i + 1] = replacement;
            return new BitmapNode(bitmap, s);
        }
    }

    /** A node holding two different keys, split at the first level where their chunks differ. */
    private static Node pair(int shift, int h1, Object k1, Object v1, int h2, Object k2, Object v2) {
        if (h1 == h2) {
            return new CollisionNode(h1, new Object[] {k1, v1, k2, v2});
        }
        // h1 != h2, so the chunks differ by level 6 (shift 30) at the latest: shift stays < 32.
        int c1 = (h1 >>> shift) & MASK;
        int c2 = (h2 >>> shift) & MASK;
        if (c1 == c2) {
            return new BitmapNode(1 << c1, new Object[] {null, pair(shift + BITS, h1, k1, v1, h2, k2, v2)});
        }
        Object[] s = c1 < c2 ? new Object[] {k1, v1, k2, v2} : new Object[] {k2, v2, k1, v1};
        return new BitmapNode((1 << c1) | (1 << c2), s);
    }

    private static final class CollisionNode extends Node {
        private final int hash;
        private final Object[] slots;

        CollisionNode(int hash, Object[] slots) {
            this.hash = hash;
            this.slots = slots;
        }

        @Override
        Object find(int shift, int h, Object key, Object absent) {
            if (h == hash) {
                for (int i = 0; i < slots.length; i += 2) {
                    if (slots[i] == key) {
                        return slots[i + 1];
                    }
                }
            }
            return absent;
        }

        @Override
        Node with(int shift, int h, Object key, Object value) {
            if (h != hash) {                                   // push this node one level down
                int bit = 1 << ((hash >>> shift) & MASK);
                return new BitmapNode(bit, new Object[] {null, this}).with(shift, h, key, value);
            }
            for (int i = 0; i < slots.length; i += 2) {
                if (slots[i] == key) {
                    Object[] s = slots.clone();
                    s[i + 1] = value;
                    return new CollisionNode(hash, s);
                }
            }
            Object[] s = Arrays.copyOf(slots, slots.length + 2);
            s[slots.length] = key;
            s[slots.length + 1] = value;
            return new CollisionNode(hash, s);
        }
    }
}
