/**
 * contextvars4j core: Python's {@code contextvars} (PEP 567) for the JVM.
 *
 * <p>Exports only the API package {@link org.contextvars4j}; the persistent map and other
 * machinery live in a package that is not exported. Providers of
 * {@link org.contextvars4j.ThreadLocalAccessor} are discovered through {@link java.util.ServiceLoader}.
 */
@SuppressWarnings("module") // the bridges' modules are not on the core's module path
module org.contextvars4j {
    exports org.contextvars4j;

    /**
     * To this project's bridges only: Bridges, their answers kept in the current context, the
     * coroutine element's activations, and the token-free replace and restore (also the MDC and
     * thread-context maps' put and remove, and the Micrometer accessor's fresh entries, issue 26).
     */
    exports org.contextvars4j.internal to org.contextvars4j.opentelemetry, org.contextvars4j.grpc, org.contextvars4j.kotlin,
            org.contextvars4j.slf4j, org.contextvars4j.log4j2, org.contextvars4j.micrometer;

    /** Foreign thread-local state bridged at every propagation point (P6). */
    uses org.contextvars4j.ThreadLocalAccessor;
}
