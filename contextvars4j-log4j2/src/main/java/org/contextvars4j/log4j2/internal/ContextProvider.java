package org.contextvars4j.log4j2.internal;

import java.util.function.Function;

import org.apache.logging.log4j.core.impl.Log4jContextFactory;
import org.apache.logging.log4j.spi.LoggerContextFactory;
import org.apache.logging.log4j.spi.Provider;
import org.apache.logging.log4j.spi.ThreadContextMap;
import org.apache.logging.log4j.util.LoaderUtil;
import org.contextvars4j.log4j2.ContextLog4j;
import org.contextvars4j.log4j2.ContextThreadContextMap;

/**
 * The Log4j API provider that makes {@link ContextThreadContextMap} the thread context with no
 * property: log4j-core in every respect (its {@link Log4jContextFactory}, through log4j-core's own
 * {@code Log4jProvider}), except the default thread-context map.
 *
 * <p>Log4j API 2.24+ asks the selected {@link Provider} for the {@link ThreadContextMap}
 * ({@link #getThreadContextMapInstance()}), and selects, without {@code log4j.provider}, the
 * provider of highest priority that {@link java.util.ServiceLoader} finds. log4j-core's has
 * priority 10; this one has 11, so it wins over log4j-core's and loses to any provider that
 * ranks itself higher on purpose (log4j-to-slf4j's, 15, which sends Log4j API calls to SLF4J).
 *
 * <p>A user's own choice still wins: when {@code log4j2.threadContextMap},
 * {@code log4j2.garbagefree.threadContextMap}, {@code log4j2.disableThreadContextMap} or
 * {@code log4j2.disableThreadContext} is set, the map is whatever log4j-core makes of it.
 */
public final class ContextProvider extends Provider {

    /** One more than log4j-core's own provider. */
    static final int PRIORITY = 11;

    private static final String[] USER_CHOICES = {
        ContextLog4j.THREAD_CONTEXT_MAP_PROPERTY, "log4j2.garbagefree.threadContextMap",
        "log4j2.disableThreadContextMap", "log4j2.disableThreadContext"};

    /**
     * log4j-core's own provider, created by name: its class carries bnd annotations whose
     * classes are not on our compile path (javac would warn, and the build treats warnings as
     * errors).
     */
    private final Provider log4jCore = LoaderUtil.newInstanceOfUnchecked(LOG4J_CORE_PROVIDER, Provider.class);

    private static final String LOG4J_CORE_PROVIDER = "org.apache.logging.log4j.core.impl.Log4jProvider";

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public ContextProvider() {
        super(PRIORITY, "2.6.0", Log4jContextFactory.class, ContextThreadContextMap.class);
    }

    /** {@return log4j-core's logger context factory} */
    @Override
    public LoggerContextFactory getLoggerContextFactory() {
        return log4jCore.getLoggerContextFactory();
    }

    /** {@return the context-backed thread context, unless a property chooses another} */
    @Override
    public ThreadContextMap getThreadContextMapInstance() {
        return userChose(Notices::log4jProperty)
                ? log4jCore.getThreadContextMapInstance()
                : new ContextThreadContextMap();
    }

    /** {@return whether the properties {@code property} looks up choose the thread context themselves} */
    static boolean userChose(Function<String, String> property) {
        for (String name : USER_CHOICES) {
            if (property.apply(name) != null) {
                return true;
            }
        }
        return false;
    }
}
