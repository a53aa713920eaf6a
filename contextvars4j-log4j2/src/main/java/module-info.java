/**
 * Log4j 2's thread context and context data backed by the current
 * {@link org.contextvars4j.Context}. See the package {@link org.contextvars4j.log4j2}.
 */
@SuppressWarnings("module") // "log4j2" ends in a digit: it names the Log4j generation it serves
module org.contextvars4j.log4j2 {
    requires transitive org.contextvars4j;
    requires transitive org.apache.logging.log4j;
    requires org.apache.logging.log4j.core;

    // Log4j instantiates the ThreadContextMap by its class name (log4j2.threadContextMap).
    exports org.contextvars4j.log4j2;

    // The provider that makes the context-backed thread context the default, with no property.
    provides org.apache.logging.log4j.spi.Provider with org.contextvars4j.log4j2.internal.ContextProvider;

    provides org.apache.logging.log4j.core.util.ContextDataProvider
            with org.contextvars4j.log4j2.internal.ExposedVarsDataProvider;
}
