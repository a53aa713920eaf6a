package org.contextvars4j.log4j2.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.Function;

import org.apache.logging.log4j.spi.LoggerContextFactory;
import org.apache.logging.log4j.spi.ReadOnlyThreadContextMap;
import org.contextvars4j.log4j2.ContextLog4j;
import org.contextvars4j.log4j2.ContextThreadContextMap;

/**
 * What this module says, once per JVM each, at WARNING through {@link System.Logger} (Log4j's own
 * status logger prints only errors by default): a Log4j setting it ignores on purpose, and an
 * {@code expose} whose thread context or logger context cannot follow contexts.
 */
public final class Notices {

    /** The Log4j property that makes the stock thread context inheritable; ignored here (P1). */
    static final String INHERITABLE_PROPERTY = "log4j2.isThreadContextMapInheritable";

    private static final Logger LOG = System.getLogger("org.contextvars4j.log4j2");

    private static volatile boolean ignoredChecked;
    private static volatile boolean bindingChecked;

    private Notices() {
    }

    /**
     * {@return the Log4j property {@code name} as Log4j reads it (system properties, environment,
     * {@code log4j2.component.properties}), or null} Looked up by name: {@code PropertiesUtil}
     * carries bnd annotations whose classes are not on our compile path, and javac's warning about
     * them would fail the build.
     */
    static String log4jProperty(String name) {
        try {
            Class<?> util = Class.forName("org.apache.logging.log4j.util.PropertiesUtil");
            Object properties = util.getMethod("getProperties").invoke(null);
            return (String) util.getMethod("getStringProperty", String.class).invoke(properties, name);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read log4j property " + name, e);
        }
    }

    /** Says once if a Log4j property this module ignores is set; called when the map is created. */
    public static void checkIgnoredSettings() {
        if (!ignoredChecked) {
            synchronized (Notices.class) {
                if (!ignoredChecked) {
                    ignoredChecked = true;
                    reportIgnored(Notices::log4jProperty, LOG);
                }
            }
        }
    }

    /** Says once what does not follow contexts, if anything; called by {@code expose}. */
    public static void checkBinding() {
        if (!bindingChecked) {
            synchronized (Notices.class) {
                if (!bindingChecked) {
                    bindingChecked = true;
                    reportBinding(org.apache.logging.log4j.ThreadContext.getThreadContextMap(),
                            org.apache.logging.log4j.LogManager.getFactory(), LOG);
                }
            }
        }
    }

    /** Warns on {@code log} when the properties {@code property} looks up set what the context-backed map ignores. */
    static void reportIgnored(Function<String, String> property, Logger log) {
        if ("true".equalsIgnoreCase(property.apply(INHERITABLE_PROPERTY))) {
            log.log(Level.WARNING, "contextvars4j: {0}=true is ignored: the thread context lives in the"
                    + " current Context, and new threads start with an empty one (P1). Hand work over with"
                    + " ContextExecutors, ContextThreads or Context.wrap, which carry the thread context",
                    INHERITABLE_PROPERTY);
        }
    }

    /**
     * Warns on {@code log} when {@code map} or {@code factory} keep exposed vars or entries from
     * following contexts. {@code map} is what {@code ThreadContext.getThreadContextMap()} returns:
     * null for Log4j's default thread-local map, which is not readable that way.
     */
    static void reportBinding(ReadOnlyThreadContextMap map, LoggerContextFactory factory, Logger log) {
        if (!(factory instanceof org.apache.logging.log4j.core.impl.Log4jContextFactory)) {
            log.log(Level.WARNING, "contextvars4j: Log4j API is bound to {0}, not to log4j-core: exposed"
                    + " context vars will not appear in log events (with Log4j API routed to SLF4J, use"
                    + " contextvars4j-slf4j and ContextMdc.expose)", factory.getClass().getName());
        } else if (!(map instanceof ContextThreadContextMap)) {
            log.log(Level.WARNING, "contextvars4j: exposed context vars print, but the thread context is {0}:"
                    + " ThreadContext.put entries stay thread-local and do not follow contexts. Remove the"
                    + " property that chose it, or set {1}={2}", map == null ? "Log4j's thread-local map" : map.getClass().getName(),
                    ContextLog4j.THREAD_CONTEXT_MAP_PROPERTY, ContextThreadContextMap.class.getName());
        }
    }
}
