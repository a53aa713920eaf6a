package org.contextvars4j.slf4j;

import java.util.Deque;
import java.util.Map;
import java.util.Set;

import ch.qos.logback.classic.util.LogbackMDCAdapter;

/**
 * Logback's own thread-local MDC adapter plus the exposed vars: what {@link Binding} gives the
 * default {@code LoggerContext} when Logback's own SLF4J provider is bound, so that
 * {@link ContextMdc#expose} prints with no system property. Every MDC operation goes to Logback's
 * adapter unchanged (the stock, thread-local MDC); only the map each event reads gains the
 * exposed vars, read from the current context on the logging thread.
 *
 * <p>It extends {@link LogbackMDCAdapter} for the reason {@link ContextMdcAdapter} does: Logback's
 * events then read {@link #getPropertyMap()}, with no copy when no exposed var has a value.
 */
final class ExposingMdcAdapter extends LogbackMDCAdapter {

    private final LogbackMDCAdapter stock;

    ExposingMdcAdapter(LogbackMDCAdapter stock) {
        this.stock = stock;
    }

    /** {@return Logback's map of this thread plus the exposed vars with a value in the current context} */
    @Override
    public Map<String, String> getPropertyMap() {
        Map<String, String> own = stock.getPropertyMap();
        return Exposed.isEmpty() ? own : Exposed.overlay(own);
    }

    @Override
    public void put(String key, String val) {
        stock.put(key, val);
    }

    @Override
    public String get(String key) {
        return stock.get(key);
    }

    @Override
    public void remove(String key) {
        stock.remove(key);
    }

    @Override
    public void clear() {
        stock.clear();
    }

    @Override
    @SuppressWarnings("unchecked") // Logback declares a raw Map
    public Map<String, String> getCopyOfContextMap() {
        return stock.getCopyOfContextMap();
    }

    @Override
    public Set<String> getKeys() {
        return stock.getKeys();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void setContextMap(Map contextMap) {
        stock.setContextMap(contextMap);
    }

    @Override
    public void pushByKey(String key, String value) {
        stock.pushByKey(key, value);
    }

    @Override
    public String popByKey(String key) {
        return stock.popByKey(key);
    }

    @Override
    public Deque<String> getCopyOfDequeByKey(String key) {
        return stock.getCopyOfDequeByKey(key);
    }

    @Override
    public void clearDequeByKey(String key) {
        stock.clearDequeByKey(key);
    }

    @Override
    public String toString() {
        return "ExposingMdcAdapter[" + stock + "]";
    }
}
