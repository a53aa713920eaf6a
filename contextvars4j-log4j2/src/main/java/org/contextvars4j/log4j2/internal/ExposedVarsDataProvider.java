package org.contextvars4j.log4j2.internal;

import java.util.Map;

import org.apache.logging.log4j.core.util.ContextDataProvider;
import org.apache.logging.log4j.util.StringMap;

/**
 * Gives every log event the values, in the context the event is created in, of the vars exposed
 * with {@code ContextLog4j.expose}. Log4j finds it with {@link java.util.ServiceLoader} (a
 * {@code provides} clause on the module path, {@code META-INF/services} on the class path) and
 * calls it on the logging thread when it creates the event, before any async hand-off.
 */
public final class ExposedVarsDataProvider implements ContextDataProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls it. */
    public ExposedVarsDataProvider() {
    }

    /** {@return the exposed vars' values in the current context, as a map} */
    @Override
    public Map<String, String> supplyContextData() {
        return ExposedVars.current().toMap();
    }

    /** {@return the exposed vars' values in the current context, frozen} */
    @Override
    public StringMap supplyStringMap() {
        return ExposedVars.current();
    }

    /** {@return the value of the var exposed under {@code key} in the current context, or null} */
    @Override
    public Object getValue(String key) {
        return ExposedVars.get(key);
    }
}
