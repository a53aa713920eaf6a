package org.contextvars4j.log4j2.internal;

import java.util.Objects;

import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.apache.logging.log4j.util.StringMap;
import org.contextvars4j.ContextVar;

/**
 * The context variables exposed as context data: parallel key and var arrays replaced together
 * (one volatile holder) under the class lock, read without a lock on every event.
 */
public final class ExposedVars {

    private static final StringMap EMPTY = frozen(new SortedArrayStringMap(0));

    /** Keys and vars, index for index; never changed once published. */
    private static final class Table {
        final String[] keys;
        final ContextVar<?>[] vars;

        Table(String[] keys, ContextVar<?>[] vars) {
            this.keys = keys;
            this.vars = vars;
        }
    }

    private static volatile Table table = new Table(new String[0], new ContextVar<?>[0]);

    private ExposedVars() {
    }

    private static StringMap frozen(StringMap m) {
        m.freeze();
        return m;
    }

    /**
     * Exposes {@code var} under {@code key}.
     *
     * @param key the key
     * @param var the var
     * @throws IllegalStateException if the key is exposed from another var; nothing changes
     */
    public static synchronized void add(String key, ContextVar<?> var) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(var, "var");
        Table t = table;
        int n = t.keys.length;
        for (int i = 0; i < n; i++) {
            if (t.keys[i].equals(key)) {
                if (t.vars[i] == var) {
                    return;
                }
                throw new IllegalStateException("context data key " + key + " is already exposed from " + t.vars[i]);
            }
        }
        String[] keys = java.util.Arrays.copyOf(t.keys, n + 1);
        ContextVar<?>[] vars = java.util.Arrays.copyOf(t.vars, n + 1);
        keys[n] = key;
        vars[n] = var;
        table = new Table(keys, vars);
    }

    /**
     * Stops exposing the var under {@code key}.
     *
     * @param key the key
     * @return whether a var was exposed under it
     */
    public static synchronized boolean remove(String key) {
        Objects.requireNonNull(key, "key");
        Table t = table;
        int n = t.keys.length;
        for (int i = 0; i < n; i++) {
            if (t.keys[i].equals(key)) {
                String[] keys = new String[n - 1];
                ContextVar<?>[] vars = new ContextVar<?>[n - 1];
                System.arraycopy(t.keys, 0, keys, 0, i);
                System.arraycopy(t.keys, i + 1, keys, i, n - i - 1);
                System.arraycopy(t.vars, 0, vars, 0, i);
                System.arraycopy(t.vars, i + 1, vars, i, n - i - 1);
                table = new Table(keys, vars);
                return true;
            }
        }
        return false;
    }

    /**
     * {@return the exposed vars' values in the current context as context data: keys already in
     * the thread context are left out, so its entries win}
     */
    static StringMap current() {
        Table t = table;
        int n = t.keys.length;
        if (n == 0) {
            return EMPTY;
        }
        StringMap m = null;
        for (int i = 0; i < n; i++) {
            String value = valueOf(t.vars[i]);
            if (value != null && !ThreadContext.containsKey(t.keys[i])) {
                if (m == null) {
                    m = new SortedArrayStringMap(n);
                }
                m.putValue(t.keys[i], value);
            }
        }
        return m == null ? EMPTY : frozen(m);
    }

    /** {@return the value of the var exposed under {@code key}, as text, or null} */
    static String get(String key) {
        Table t = table;
        for (int i = 0; i < t.keys.length; i++) {
            if (t.keys[i].equals(key)) {
                return valueOf(t.vars[i]);
            }
        }
        return null;
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
