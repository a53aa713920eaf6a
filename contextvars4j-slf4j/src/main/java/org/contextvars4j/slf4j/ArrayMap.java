package org.contextvars4j.slf4j;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map from strings, kept as one array of alternating keys and values: the value of
 * the MDC's context variables.
 *
 * <p>An MDC holds a handful of entries, so a linear scan over one array beats hashing and a copy
 * on write is one small array copy. {@link #with} and {@link #without} return new maps; nothing
 * ever changes an existing one, which is what makes a {@code Context} copy of the MDC isolated.
 *
 * <p>The map installed by an {@code MDC.put} of a new key also remembers that put ({@link #putKey}
 * and the context's maps before and after it), so that the {@code remove} pairing with it can put
 * the map before back, O(1) and without allocation, instead of writing a third map (issue 26:
 * without a {@code Token}, through the core's token-free replace and restore).
 *
 * <h2>Serialization</h2>
 *
 * <p>Logback keeps the MDC map an event was logged with by reference (no copy), and a
 * {@code SocketAppender} Java-serializes it. This class is {@link Serializable} only to write
 * itself as a plain {@link HashMap} ({@link #writeReplace()}): that is the map type Logback's
 * receiving side ({@code HardenedLoggingEventInputStream}) accepts, and the receiver needs no
 * class of ours. The copy is made when an event is serialized, never when it is logged.
 *
 * @param <V> the value type
 */
final class ArrayMap<V> extends AbstractMap<String, V> implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final ArrayMap<?> EMPTY = new ArrayMap<>(new Object[0]);

    /**
     * Keys at even indexes, values at odd ones; never changed after construction. Transient: the
     * map is never serialized field by field, {@link #writeReplace()} writes a HashMap instead.
     */
    private final transient Object[] kv;

    /** The key of the put that installed this map, when the put added it (it was absent). */
    transient String putKey;
    /** The context's map before that put; written once, right after the put, by the thread that put. */
    transient Object[] mapBefore;
    /** The context's map the put left (the one holding this map). */
    transient Object[] mapAfter;

    private ArrayMap(Object[] kv) {
        this.kv = kv;
    }

    @SuppressWarnings("unchecked")
    static <V> ArrayMap<V> empty() {
        return (ArrayMap<V>) EMPTY;
    }

    /** {@return a map with the entries of {@code source}, null keys skipped} */
    static ArrayMap<String> copyOf(Map<?, ?> source) {
        Object[] kv = new Object[source.size() * 2];
        int n = 0;
        for (Map.Entry<?, ?> e : source.entrySet()) {
            if (e.getKey() != null) {
                kv[n++] = e.getKey().toString();
                kv[n++] = e.getValue() == null ? null : e.getValue().toString();
            }
        }
        return n == 0 ? empty() : new ArrayMap<>(n == kv.length ? kv : Arrays.copyOf(kv, n));
    }

    private int indexOf(Object key) {
        Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : (V) kv[i + 1];
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public int size() {
        return kv.length >> 1;
    }

    @Override
    public boolean isEmpty() {
        return kv.length == 0;
    }

    /** {@return this map with {@code key} mapped to {@code value}} */
    ArrayMap<V> with(String key, V value) {
        int i = indexOf(key);
        Object[] a;
        if (i >= 0) {
            a = kv.clone();
            a[i + 1] = value;
        } else {
            a = Arrays.copyOf(kv, kv.length + 2);
            a[kv.length] = key;
            a[kv.length + 1] = value;
        }
        return new ArrayMap<>(a);
    }

    /** {@return this map without {@code key}; this very map when it has no such key} */
    ArrayMap<V> without(String key) {
        int i = indexOf(key);
        if (i < 0) {
            return this;
        }
        if (kv.length == 2) {
            return empty();
        }
        Object[] a = new Object[kv.length - 2];
        System.arraycopy(kv, 0, a, 0, i);
        System.arraycopy(kv, i + 2, a, i, kv.length - i - 2);
        return new ArrayMap<>(a);
    }

    /**
     * {@return a {@link HashMap} with the same entries, written in this map's place}
     *
     * @serialData the entries of this map, as a {@code java.util.HashMap}
     */
    @Serial
    private Object writeReplace() {
        return new HashMap<>(this);
    }

    @Override
    public Set<Map.Entry<String, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, V>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < kv.length;
                    }

                    @Override
                    @SuppressWarnings("unchecked")
                    public Map.Entry<String, V> next() {
                        if (i >= kv.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, V> e = new SimpleImmutableEntry<>((String) kv[i], (V) kv[i + 1]);
                        i += 2;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return kv.length >> 1;
            }
        };
    }
}
