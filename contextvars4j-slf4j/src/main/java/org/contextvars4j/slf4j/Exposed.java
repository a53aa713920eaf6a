package org.contextvars4j.slf4j;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

import org.contextvars4j.ContextVar;

/**
 * The context variables exposed under MDC keys: one copy-on-write array, read without a lock on
 * every event and replaced (rarely, at startup) under the class lock.
 */
final class Exposed {

    /** One exposed var and its MDC key. */
    private static final class Entry {
        final String key;
        final ContextVar<?> var;

        Entry(String key, ContextVar<?> var) {
            this.key = key;
            this.var = var;
        }
    }

    private static volatile Entry[] entries = new Entry[0];

    private Exposed() {
    }

    static synchronized void add(String key, ContextVar<?> var) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(var, "var");
        Entry[] e = entries;
        for (Entry x : e) {
            if (x.key.equals(key)) {
                if (x.var == var) {
                    return;
                }
                throw new IllegalStateException("mdc key " + key + " is already exposed from " + x.var);
            }
        }
        Entry[] n = Arrays.copyOf(e, e.length + 1);
        n[e.length] = new Entry(key, var);
        entries = n;
    }

    static synchronized boolean remove(String key) {
        Objects.requireNonNull(key, "key");
        Entry[] e = entries;
        Entry[] n = Arrays.stream(e).filter(x -> !x.key.equals(key)).toArray(Entry[]::new);
        entries = n;
        return n.length != e.length;
    }

    static boolean isEmpty() {
        return entries.length == 0;
    }

    /** {@return the printed value of the var exposed under {@code key}, or null} */
    static String get(String key) {
        for (Entry x : entries) {
            if (x.key.equals(key)) {
                return valueOf(x.var);
            }
        }
        return null;
    }

    /**
     * {@return {@code mdc} plus every exposed var with a value in the current context; MDC entries
     * win} {@code mdc} itself (null read as empty) when no exposed var adds anything.
     */
    static Map<String, String> overlay(Map<String, String> mdc) {
        ArrayMap<String> m = null;
        for (Entry x : entries) {
            if (mdc == null || !mdc.containsKey(x.key)) {
                String value = valueOf(x.var);
                if (value != null) {
                    if (m == null) {
                        m = mdc == null ? ArrayMap.empty()
                                : mdc instanceof ArrayMap ? (ArrayMap<String>) mdc : ArrayMap.copyOf(mdc);
                    }
                    m = m.with(x.key, value);
                }
            }
        }
        return m != null ? m : mdc;
    }

    /** {@return the var's value in the current context (or its default) as text; null if neither} */
    private static String valueOf(ContextVar<?> var) {
        Object value = var.orElse(null);
        if (value == null && var.hasDefault()) {
            value = var.get();
        }
        return value == null ? null : value.toString();
    }
}
