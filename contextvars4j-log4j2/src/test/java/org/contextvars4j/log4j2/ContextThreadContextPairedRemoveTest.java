package org.contextvars4j.log4j2;

import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.ThreadContext;
import org.contextvars4j.testsupport.PairedRemoveContract;
import org.junit.jupiter.api.Test;

/** {@code ThreadContext.put} of a new key and the {@code remove} that pairs with it (issue 26). */
class ContextThreadContextPairedRemoveTest extends PairedRemoveContract {

    /** The contract's tests go through {@code ThreadContext}: they check our map only while it is the one in use. */
    @Test
    void threadContext_usesTheContextMap() {
        assertThat(ThreadContext.getThreadContextMap()).isInstanceOf(ContextThreadContextMap.class);
    }

    @Override
    protected void put(String key, String value) {
        ThreadContext.put(key, value);
    }

    @Override
    protected void remove(String key) {
        ThreadContext.remove(key);
    }

    @Override
    protected String get(String key) {
        return ThreadContext.get(key);
    }

    @Override
    protected Map<String, String> entries() {
        return ThreadContext.getContext();
    }

    @Override
    protected Supplier<Map<String, String>> eventView() {
        return new ContextThreadContextMap().getReadOnlyContextData()::toMap;
    }
}
