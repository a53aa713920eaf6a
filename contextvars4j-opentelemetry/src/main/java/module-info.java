/**
 * contextvars4j for OpenTelemetry: one context store for both, and chosen vars carried across
 * processes in the W3C {@code baggage} header. See the package {@link org.contextvars4j.opentelemetry}.
 */
module org.contextvars4j.opentelemetry {
    requires transitive org.contextvars4j;
    requires transitive io.opentelemetry.context;
    requires transitive io.opentelemetry.api;
    requires transitive java.net.http;
    requires transitive jdk.httpserver;
    requires static transitive jakarta.servlet;

    exports org.contextvars4j.opentelemetry;

    provides io.opentelemetry.context.ContextStorageProvider
            with org.contextvars4j.opentelemetry.ContextVarsStorageProvider;
}
