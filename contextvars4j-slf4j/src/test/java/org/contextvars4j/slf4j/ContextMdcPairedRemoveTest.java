package org.contextvars4j.slf4j;

import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

import org.contextvars4j.testsupport.PairedRemoveContract;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** {@code MDC.put} of a new key and the {@code remove} that pairs with it (issue 26), through SLF4J's {@code MDC}. */
class ContextMdcPairedRemoveTest extends PairedRemoveContract {

    /** The contract's tests go through SLF4J's {@code MDC}: they check our adapter only while it is the bound one. */
    @Test
    void mdc_isBoundToTheContextAdapter() {
        assertThat(MDC.getMDCAdapter()).isSameAs(ContextMdc.mdcAdapter());
    }

    @Override
    protected void put(String key, String value) {
        MDC.put(key, value);
    }

    @Override
    protected void remove(String key) {
        MDC.remove(key);
    }

    @Override
    protected String get(String key) {
        return MDC.get(key);
    }

    @Override
    protected Map<String, String> entries() {
        return MDC.getCopyOfContextMap();
    }

    @Override
    protected Supplier<Map<String, String>> eventView() {
        Map<String, String> handed = ContextMdcAdapter.INSTANCE.getPropertyMap();
        return () -> handed;
    }
}
