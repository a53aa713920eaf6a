package org.contextvars4j.slf4j;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;

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

    @Override
    public void put(String key, String val) {
        ArrayMap<String> before = MAP.get();
        ArrayMap<String> after = before.with(requireKey(key), val);
        Token<ArrayMap<String>> token = MAP.set(after);
        if (!before.containsKey(key)) {
            after.putKey = key;
            after.putToken = token;
        }
    }

    @Override
    public String get(String key) {
        String v = MAP.get().get(key);
        return v != null || Exposed.isEmpty() || key == null ? v : Exposed.get(key);
    }

    @Override
    public void remove(String key) {
        ArrayMap<String> m = MAP.get();
        if (key == null || !m.containsKey(key)) {
            return;
        }
        Token<ArrayMap<String>> t = m.putToken;
        if (t != null && key.equals(m.putKey) && !t.isUsed()) {
            try {
                // The pairing remove of the put that installed m (the value was absent before it):
                // back to the map before that put, O(1) when nothing else was set since.
                MAP.reset(t);
                return;
            } catch (IllegalArgumentException otherContext) {
                // m is shared with a copy of the context where the put happened: write instead.
            }
        }
        MAP.set(m.without(key));
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
