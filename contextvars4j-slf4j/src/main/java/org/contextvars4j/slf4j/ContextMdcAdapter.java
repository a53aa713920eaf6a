package org.contextvars4j.slf4j;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.internal.Bridges;

/**
 * The MDC adapter: every operation reads or writes the MDC's variable in the current context.
 *
 * <p>It extends {@link LogbackMDCAdapter} for one reason: Logback's {@code LoggingEvent} asks an
 * adapter of that type for {@link #getPropertyMap()} (a read-only view, no copy) and any other
 * adapter for a {@code getCopyOfContextMap()} copy on every event. Every method is overridden;
 * the thread-locals of the superclass stay empty.
 */
final class ContextMdcAdapter extends LogbackMDCAdapter {

    static final ContextMdcAdapter INSTANCE = new ContextMdcAdapter();

    /** The MDC entries of the current context. */
    static final ContextVar<ArrayMap<String>> MAP = ContextVar.of("slf4j.mdc", ArrayMap.empty());

    /** The deques of {@link #pushByKey}, by key; the newest element first. */
    static final ContextVar<ArrayMap<Node>> DEQUES = ContextVar.of("slf4j.mdc.deques", ArrayMap.empty());

    /** An element of an immutable stack. */
    static final class Node {
        final String value;
        final Node next;

        Node(String value, Node next) {
            this.value = value;
            this.next = next;
        }
    }

    private ContextMdcAdapter() {
    }

    private static String requireKey(String key) {
        if (key == null) {
            throw new IllegalArgumentException("key cannot be null");
        }
        return key;
    }

    /**
     * Whether the core's internal package is exported to this module: false only with
     * contextvars4j-core on the module path and this jar on the class path, where put and remove
     * take the public path (a set each, with no pairing).
     */
    private static final boolean TOKEN_FREE = ContextVar.class.getModule()
            .isExported("org.contextvars4j.internal", ContextMdcAdapter.class.getModule());

    /** {@return the MDC entries in {@code map}, a map of the current context} */
    @SuppressWarnings("unchecked")
    private static ArrayMap<String> entriesIn(Object[] map) {
        Object m = Bridges.valueIn(map, MAP);
        return m == null ? ArrayMap.empty() : (ArrayMap<String>) m;
    }

    /*
     * put and remove go through the core's token-free replace and restore (issue 26), the fast
     * path the gRPC bridge uses: a put of a new key keeps the context's maps before and after it
     * in the entries it installs, and the remove that pairs with it puts the map before back in
     * O(1) while the context still holds the map after (nothing was set, reset, entered or exited
     * since). That is what ContextVar.set and reset do, without the Token. Each finds the
     * current context once (Bridges.contextForWrite / currentContext) and reads and writes it
     * through that: one lookup per call, as set and reset.
     */
    @Override
    public void put(String key, String val) {
        requireKey(key);
        if (!TOKEN_FREE) {
            MAP.set(MAP.get().with(key, val));
            return;
        }
        Context c = Bridges.contextForWrite();      // the one lookup of the current context
        Object[] before = Bridges.mapOf(c);
        ArrayMap<String> entries = entriesIn(before);
        ArrayMap<String> after = entries.with(key, val);
        Object[] afterMap = Bridges.replaceIn(c, MAP, after);
        if (after.size() > entries.size()) {
            after.putKey = key;
            after.mapBefore = before;
            after.mapAfter = afterMap;
        }
    }

    @Override
    public String get(String key) {
        String v = MAP.get().get(key);
        return v != null || Exposed.isEmpty() || key == null ? v : Exposed.get(key);
    }

    @Override
    public void remove(String key) {
        if (key == null) {
            return;
        }
        if (!TOKEN_FREE) {
            ArrayMap<String> m = MAP.get();
            if (m.containsKey(key)) {
                MAP.set(m.without(key));
            }
            return;
        }
        Context c = Bridges.currentContext();       // the one lookup of the pairing remove
        Object[] now = Bridges.mapOf(c);
        ArrayMap<String> m = entriesIn(now);
        // The pairing remove of the put that installed m (the key was absent before it): back
        // to the map before that put, when nothing else changed since.
        if (m.mapAfter == now && key.equals(m.putKey) && Bridges.restoreIn(c, now, m.mapBefore)) {
            return;
        }
        if (m.containsKey(key)) {
            Bridges.replace(MAP, m.without(key));
        }
    }

    @Override
    public void clear() {
        if (!MAP.get().isEmpty()) {
            MAP.set(ArrayMap.empty());
        }
    }

    /** {@return the entries of the current context plus the exposed vars; read-only, never copied} */
    @Override
    public Map<String, String> getPropertyMap() {
        ArrayMap<String> m = MAP.get();
        return Exposed.isEmpty() ? m : Exposed.overlay(m);
    }

    @Override
    public Map<String, String> getCopyOfContextMap() {
        return new HashMap<>(getPropertyMap());
    }

    @Override
    public Set<String> getKeys() {
        return new HashSet<>(getPropertyMap().keySet());
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void setContextMap(Map contextMap) {
        MAP.set(contextMap == null ? ArrayMap.empty() : ArrayMap.copyOf(contextMap));
    }

    @Override
    public void pushByKey(String key, String value) {
        requireKey(key);
        Objects.requireNonNull(value, "value");
        ArrayMap<Node> d = DEQUES.get();
        DEQUES.set(d.with(key, new Node(value, d.get(key))));
    }

    @Override
    public String popByKey(String key) {
        ArrayMap<Node> d = DEQUES.get();
        Node top = d.get(requireKey(key));
        if (top == null) {
            return null;
        }
        DEQUES.set(top.next == null ? d.without(key) : d.with(key, top.next));
        return top.value;
    }

    @Override
    public Deque<String> getCopyOfDequeByKey(String key) {
        Node top = DEQUES.get().get(requireKey(key));
        if (top == null) {
            return null;
        }
        Deque<String> copy = new ArrayDeque<>();
        for (Node n = top; n != null; n = n.next) {
            copy.addLast(n.value);
        }
        return copy;
    }

    @Override
    public void clearDequeByKey(String key) {
        ArrayMap<Node> d = DEQUES.get();
        if (d.containsKey(requireKey(key))) {
            DEQUES.set(d.without(key));
        }
    }

    @Override
    public String toString() {
        return "ContextMdcAdapter[" + MAP.get() + "]";
    }
}
