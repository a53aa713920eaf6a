package org.contextvars4j.spring.boot.autoconfigure;

import java.util.Map;

import org.contextvars4j.ThreadLocalAccessor;
import org.slf4j.MDC;

/**
 * SLF4J's MDC as a foreign thread-local (P6): captured with the context at every hand-off and
 * installed around the work, then the worker's own MDC is put back. Registered only while the
 * MDC is a thread-local map (Logback's and Log4j's own adapters); the context-backed MDC of
 * {@code contextvars4j-slf4j} already travels with the context.
 */
final class MdcAccessor implements ThreadLocalAccessor<Map<String, String>> {

    @Override
    public Map<String, String> capture() {
        Map<String, String> map = MDC.getCopyOfContextMap();
        return map == null || map.isEmpty() ? null : map;
    }

    @Override
    public void restore(Map<String, String> value) {
        MDC.setContextMap(value);
    }

    @Override
    public void reset() {
        MDC.clear();
    }

    @Override
    public String toString() {
        return "MdcAccessor[" + MDC.getMDCAdapter().getClass().getName() + "]";
    }
}
