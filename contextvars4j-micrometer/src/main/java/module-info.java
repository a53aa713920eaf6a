/**
 * contextvars4j for Micrometer context-propagation: the current {@link org.contextvars4j.Context}
 * carried by the machinery that Reactor, Spring and Micrometer already run.
 *
 * <p>Provides {@link org.contextvars4j.micrometer.ContextThreadLocalAccessor} to Micrometer's
 * {@code ContextRegistry} through {@link java.util.ServiceLoader} (this {@code provides} clause on
 * the module path, {@code META-INF/services/io.micrometer.context.ThreadLocalAccessor} on the class
 * path). Micrometer's jar is the automatic module {@code context.propagation}.
 */
module org.contextvars4j.micrometer {
    requires transitive org.contextvars4j;
    requires transitive context.propagation;

    exports org.contextvars4j.micrometer;

    provides io.micrometer.context.ThreadLocalAccessor with org.contextvars4j.micrometer.ContextThreadLocalAccessor;
}
