package org.contextvars4j.slf4j;

import java.util.Objects;

import ch.qos.logback.classic.LoggerContext;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.slf4j.spi.MDCAdapter;

/**
 * The MDC backed by the current {@link org.contextvars4j.Context}: exposing context variables
 * under MDC keys, a {@code putCloseable} that restores, and the adapter itself.
 *
 * <p>With {@link ContextLogbackServiceProvider} selected (see the package overview), every
 * {@link org.slf4j.MDC} call reads and writes the current context, so nothing on this class is
 * needed to use the MDC. It adds what the static {@code MDC} cannot express:
 * <ul>
 *   <li>{@link #expose(String, ContextVar)}: print a {@link ContextVar} under an MDC key
 *       ({@code %X{user}} in a Logback pattern), read live from the context each event is logged
 *       in, without ever putting it into the MDC;</li>
 *   <li>{@link #putCloseable(String, String)}: put an entry for a block and restore the previous
 *       value on close. SLF4J's own {@code MDC.putCloseable} is code in {@code slf4j-api} that
 *       closes with {@code MDC.remove}, so it removes the key, as it does with stock Logback;</li>
 *   <li>{@link #install(LoggerContext)} and {@link #mdcAdapter()}, for a {@link LoggerContext}
 *       built by hand instead of through SLF4J.</li>
 * </ul>
 *
 * <p>Unless otherwise specified, passing a null argument throws {@link NullPointerException}
 * naming the parameter.
 */
public final class ContextMdc {

    private ContextMdc() {
    }

    /**
     * Prints {@code var} under the MDC key {@code key}: {@code MDC.get(key)}, the MDC copies and
     * every logged event read the var's value in the current context (its default when it has
     * no value; nothing when it has neither or the value is null), converted with
     * {@code toString()}. The var is never copied into the MDC. An entry put into the MDC under
     * the same key takes precedence. Exposing is process-wide; do it once, at startup.
     *
     * <p>The first call checks which MDC SLF4J has bound and says so once (package overview,
     * "Switching it on"): with Logback's own provider, exposed vars still print (Logback's
     * thread-local MDC plus the vars; one WARN says {@code MDC.put} stays thread-local); with another
     * SLF4J binding they cannot (one WARN). Both name {@code -Dslf4j.provider}.
     *
     * @param key the MDC key, for example {@code "user"} for {@code %X{user}}
     * @param var the var to print under it
     * @throws IllegalStateException if {@code key} is already exposed from another var; nothing
     *         changes
     */
    public static void expose(String key, ContextVar<?> var) {
        Exposed.add(key, var);
        Binding.check();
    }

    /**
     * Stops exposing the var exposed under {@code key}.
     *
     * @param key the MDC key
     * @return whether a var was exposed under it
     */
    public static boolean unexpose(String key) {
        return Exposed.remove(key);
    }

    /**
     * Puts {@code key} into the MDC of the current context until the returned handle is closed,
     * which restores the value the key had before (or its absence), whatever else was put in
     * between. Made for try-with-resources:
     * <pre>{@code
     * try (ContextMdc.MdcCloseable c = ContextMdc.putCloseable("step", "charge")) {
     *     log.info("charging");                  // step=charge
     * }                                          // step is back to what it was
     * }</pre>
     *
     * @param key the MDC key
     * @param value the value, may be null
     * @return the handle that restores the previous value
     */
    public static MdcCloseable putCloseable(String key, String value) {
        Objects.requireNonNull(key, "key");
        Binding.check();
        ArrayMap<String> before = ContextMdcAdapter.MAP.get();
        boolean had = before.containsKey(key);
        String old = before.get(key);
        ArrayMap<String> after = before.with(key, value);
        return new MdcCloseable(key, had, old, after, ContextMdcAdapter.MAP.set(after));
    }

    /**
     * {@return the MDC adapter backed by the current context}: the one
     * {@link ContextLogbackServiceProvider} hands to SLF4J and to its {@link LoggerContext}. All
     * instances share the same state, the current context, so there is one adapter.
     */
    public static MDCAdapter mdcAdapter() {
        return ContextMdcAdapter.INSTANCE;
    }

    /**
     * Gives a {@link LoggerContext} created by hand (not through SLF4J) the MDC adapter backed by
     * the current context, so that its events print the context's MDC entries and exposed vars.
     * Call it before the context logs anything.
     *
     * @param loggerContext a logger context without an MDC adapter, or with this one
     * @throws IllegalStateException if the logger context already has another MDC adapter;
     *         nothing changes
     */
    public static void install(LoggerContext loggerContext) {
        Objects.requireNonNull(loggerContext, "loggerContext");
        MDCAdapter current = loggerContext.getMDCAdapter();
        if (current == ContextMdcAdapter.INSTANCE) {
            return;
        }
        if (current != null) {
            throw new IllegalStateException("logger context " + loggerContext.getName()
                    + " already has an mdc adapter: " + current.getClass().getName());
        }
        loggerContext.setMDCAdapter(ContextMdcAdapter.INSTANCE);
    }

    /**
     * Restores an MDC entry put by {@link ContextMdc#putCloseable(String, String)}. Close it once,
     * in the context it was created in.
     */
    public static final class MdcCloseable implements AutoCloseable {
        private final String key;
        private final boolean had;
        private final String old;
        private final ArrayMap<String> installed;
        private final Token<ArrayMap<String>> token;
        private boolean closed;

        private MdcCloseable(String key, boolean had, String old, ArrayMap<String> installed,
                Token<ArrayMap<String>> token) {
            this.key = key;
            this.had = had;
            this.old = old;
            this.installed = installed;
            this.token = token;
        }

        /**
         * Restores the key's previous value (or its absence) in the current context; other keys
         * keep their current values.
         *
         * @throws IllegalStateException if already closed; nothing changes
         */
        @Override
        public void close() {
            if (closed) {
                throw new IllegalStateException(this + " has already been closed");
            }
            closed = true;
            ArrayMap<String> current = ContextMdcAdapter.MAP.get();
            if (current == installed && !token.isUsed()) {
                try {
                    ContextMdcAdapter.MAP.reset(token);   // nothing changed since: O(1)
                    return;
                } catch (IllegalArgumentException otherContext) {
                    // closed in another context than the put: write the old value there
                }
            }
            ContextMdcAdapter.MAP.set(had ? current.with(key, old) : current.without(key));
        }

        /** {@return a description naming the key, for example {@code MdcCloseable[step]}} */
        @Override
        public String toString() {
            return "MdcCloseable[" + key + "]";
        }
    }
}
