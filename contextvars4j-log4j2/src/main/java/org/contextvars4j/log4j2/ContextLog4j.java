package org.contextvars4j.log4j2;

import org.contextvars4j.ContextVar;
import org.contextvars4j.log4j2.internal.ExposedVars;
import org.contextvars4j.log4j2.internal.Notices;

/**
 * Exposes context variables as Log4j context data: {@code %X{user}} in a pattern (and every
 * layout that prints context data) shows the var's value in the context the event was created
 * in, without a {@code ThreadContext.put}.
 *
 * <p>Unless otherwise specified, passing a null argument throws {@link NullPointerException}
 * naming the parameter.
 */
public final class ContextLog4j {

    /** The Log4j property that selects {@link ContextThreadContextMap}. */
    public static final String THREAD_CONTEXT_MAP_PROPERTY = "log4j2.threadContextMap";

    private ContextLog4j() {
    }

    /**
     * Adds {@code var} to the context data of every event under {@code key}: its value in the
     * current context when the event is created (its default when it has no value; nothing when
     * it has neither or the value is null), converted with {@code toString()}. A thread-context
     * entry under the same key takes precedence. Exposing is process-wide; do it once, at
     * startup. Works with any {@code ThreadContextMap}.
     *
     * <p>The first call says once, at WARNING through {@link System.Logger}, if the thread
     * context is not {@link ContextThreadContextMap} (its entries then stay thread-local) or if
     * Log4j API is not bound to log4j-core (exposed vars then cannot print).
     *
     * @param key the context-data key, for example {@code "user"} for {@code %X{user}}
     * @param var the var to print under it
     * @throws IllegalStateException if {@code key} is already exposed from another var; nothing
     *         changes
     */
    public static void expose(String key, ContextVar<?> var) {
        ExposedVars.add(key, var);
        Notices.checkBinding();
    }

    /**
     * Stops exposing the var exposed under {@code key}.
     *
     * @param key the key
     * @return whether a var was exposed under it
     */
    public static boolean unexpose(String key) {
        return ExposedVars.remove(key);
    }
}
