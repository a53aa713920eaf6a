package org.contextvars4j.log4j2;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.logging.log4j.spi.CleanableThreadContextMap;
import org.apache.logging.log4j.spi.ReadOnlyThreadContextMap;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.apache.logging.log4j.util.StringMap;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.internal.Bridges;
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
     * The frozen map a put of a new key installs, with what the remove pairing with it needs:
     * the key and the context's maps before and after the put (issue 26). That remove puts the
     * map before back, O(1) and without a copy, while the context still holds the map after;
     * what {@code ContextVar.set} and {@code reset} do, through the core's token-free replace
     * and restore, each finding the current context once ({@code Bridges.contextForWrite} /
     * {@code currentContext}). The three fields are written once, right after the put, by the thread that
     * put, and are not serialized.
     */
    private static final class PutMap extends SortedArrayStringMap {
        private static final long serialVersionUID = 1L;

        transient String key;
        transient Object[] mapBefore;
        transient Object[] mapAfter;

        PutMap(StringMap entries) {
            super(entries);
        }
    }

    /**
     * Whether the core's internal package is exported to this module: false only with
     * contextvars4j-core on the module path and this jar on the class path, where put and remove
     * take the public path (a set each, with no pairing).
     */
    private static final boolean TOKEN_FREE = ContextVar.class.getModule()
            .isExported("org.contextvars4j.internal", ContextThreadContextMap.class.getModule());

    /** {@return the thread-context entries in {@code map}, a map of the current context} */
    private static StringMap entriesIn(Object[] map) {
        Object m = Bridges.valueIn(map, MAP);
        return m == null ? EMPTY : (StringMap) m;
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
        if (!TOKEN_FREE) {
            StringMap m = copy(MAP.get());
            m.putValue(key, value);
            MAP.set(freeze(m));
            return;
        }
        Context c = Bridges.contextForWrite();      // the one lookup of the current context
        Object[] before = Bridges.mapOf(c);
        StringMap entries = entriesIn(before);
        PutMap m = new PutMap(entries);
        m.putValue(key, value);
        m.freeze();
        Object[] after = Bridges.replaceIn(c, MAP, m);
        if (m.size() > entries.size()) {
            m.key = key;
            m.mapBefore = before;
            m.mapAfter = after;
        }
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
        if (key == null) {
            return;
        }
        Context c = TOKEN_FREE ? Bridges.currentContext() : null;   // the one lookup of the pairing remove
        Object[] now = TOKEN_FREE ? Bridges.mapOf(c) : null;
        StringMap cur = TOKEN_FREE ? entriesIn(now) : MAP.get();
        // The pairing remove of the put that installed cur (the key was absent before it): back
        // to the map before that put, when nothing else changed since.
        if (cur instanceof PutMap put && put.mapAfter == now && key.equals(put.key) && Bridges.restoreIn(c, now, put.mapBefore)) {
            return;
        }
        if (cur.containsKey(key)) {
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
