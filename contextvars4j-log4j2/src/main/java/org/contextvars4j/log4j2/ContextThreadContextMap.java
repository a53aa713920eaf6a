package org.contextvars4j.log4j2;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.logging.log4j.spi.CleanableThreadContextMap;
import org.apache.logging.log4j.spi.ReadOnlyThreadContextMap;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.apache.logging.log4j.util.StringMap;
import org.contextvars4j.ContextVar;
import org.contextvars4j.log4j2.internal.Notices;

/**
 * Log4j's thread context map (the {@code ThreadContext.put} / {@code get} / {@code remove}
 * side, Log4j's MDC) kept in the current {@link org.contextvars4j.Context} instead of a
 * thread-local.
 *
 * <p>The entries are one frozen {@link StringMap} held by a context variable: a put writes a new
 * map into the current context, so copies of the context taken earlier
 * keep theirs, every propagation point of the core carries the entries, and a pooled thread
 * starts each task with the task's entries. Log4j reads {@link #getReadOnlyContextData()} when
 * it creates an event, on the logging thread, and copies its entries into the event.
 *
 * <p>It is the default with this module on the class path or module path: the module registers a
 * Log4j API provider (log4j-core's, with this map) that Log4j 2.24+ prefers over log4j-core's own,
 * so no property is needed. A thread-context choice of the user's still wins
 * ({@code log4j2.threadContextMap}, {@code log4j2.disableThreadContext}, ...), and naming this
 * class there selects it as well:
 * <pre>{@code
 * log4j2.threadContextMap=org.contextvars4j.log4j2.ContextThreadContextMap
 * }</pre>
 * {@code log4j2.isThreadContextMapInheritable} is ignored (SPEC P1: new threads start empty), and
 * said so once, at WARNING, when the map is created.
 *
 * @apiNote Log4j creates the map reflectively, hence the public constructor; applications never
 * call it. All instances share one state, the current context.
 */
public final class ContextThreadContextMap implements ReadOnlyThreadContextMap, CleanableThreadContextMap {

    private static final StringMap EMPTY = freeze(new SortedArrayStringMap(0));

    /** The thread-context entries of the current context; always frozen. */
    private static final ContextVar<StringMap> MAP = ContextVar.of("log4j2.threadContext", EMPTY);

    /**
     * Creates the map; Log4j calls it. The first call says once, at WARNING, if
     * {@code log4j2.isThreadContextMapInheritable=true} is set: it is ignored here (SPEC P1).
     */
    public ContextThreadContextMap() {
        Notices.checkIgnoredSettings();
    }

    private static StringMap freeze(StringMap m) {
        m.freeze();
        return m;
    }

    /** {@return a mutable copy of {@code m}} */
    private static StringMap copy(StringMap m) {
        return new SortedArrayStringMap(m);
    }

    /**
     * Puts an entry into the current context.
     *
     * @param key the key
     * @param value the value, may be null
     */
    @Override
    public void put(String key, String value) {
        Objects.requireNonNull(key, "key");
        StringMap m = copy(MAP.get());
        m.putValue(key, value);
        MAP.set(freeze(m));
    }

    /**
     * Puts entries into the current context, with one write.
     *
     * @param map the entries
     */
    @Override
    public void putAll(Map<String, String> map) {
        Objects.requireNonNull(map, "map");
        if (map.isEmpty()) {
            return;
        }
        StringMap m = copy(MAP.get());
        map.forEach((k, v) -> m.putValue(Objects.requireNonNull(k, "key"), v));
        MAP.set(freeze(m));
    }

    /** {@return the value of {@code key} in the current context, or null} */
    @Override
    public String get(String key) {
        return MAP.get().getValue(key);
    }

    /**
     * Removes an entry from the current context.
     *
     * @param key the key
     */
    @Override
    public void remove(String key) {
        StringMap cur = MAP.get();
        if (key != null && cur.containsKey(key)) {
            StringMap m = copy(cur);
            m.remove(key);
            MAP.set(freeze(m));
        }
    }

    /**
     * Removes entries from the current context, with one write.
     *
     * @param keys the keys
     */
    @Override
    public void removeAll(Iterable<String> keys) {
        Objects.requireNonNull(keys, "keys");
        StringMap cur = MAP.get();
        StringMap m = null;
        for (String k : keys) {
            if (k != null && cur.containsKey(k)) {
                if (m == null) {
                    m = copy(cur);
                }
                m.remove(k);
            }
        }
        if (m != null) {
            MAP.set(freeze(m));
        }
    }

    /** Empties the thread context of the current context; copies taken earlier keep theirs. */
    @Override
    public void clear() {
        if (!MAP.get().isEmpty()) {
            MAP.set(EMPTY);
        }
    }

    /** {@return whether the current context has an entry for {@code key}} */
    @Override
    public boolean containsKey(String key) {
        return MAP.get().containsKey(key);
    }

    /** {@return a mutable copy of the entries of the current context} */
    @Override
    public Map<String, String> getCopy() {
        return new HashMap<>(MAP.get().toMap());
    }

    /** {@return the entries of the current context, unmodifiable, or null when there are none} */
    @Override
    public Map<String, String> getImmutableMapOrNull() {
        StringMap m = MAP.get();
        return m.isEmpty() ? null : Collections.unmodifiableMap(m.toMap());
    }

    /** {@return whether the current context has no entries} */
    @Override
    public boolean isEmpty() {
        return MAP.get().isEmpty();
    }

    /** {@return the entries of the current context: frozen, never copied} */
    @Override
    public StringMap getReadOnlyContextData() {
        return MAP.get();
    }

    /** {@return a description with the current entries} */
    @Override
    public String toString() {
        return "ContextThreadContextMap" + MAP.get();
    }
}
