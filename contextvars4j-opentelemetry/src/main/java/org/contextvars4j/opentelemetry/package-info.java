/**
 * OpenTelemetry and contextvars4j share one store, and chosen vars cross process boundaries in
 * the W3C {@code baggage} header.
 *
 * <h2>One store</h2>
 *
 * <p>{@link org.contextvars4j.opentelemetry.ContextVarsStorageProvider} makes OpenTelemetry keep
 * its current {@code Context} inside the current contextvars4j {@code Context}: every
 * contextvars4j hand-off carries the current span and baggage, and OpenTelemetry's own task
 * wrappers carry the contextvars4j vars. Inside the bridge OpenTelemetry's contract holds, because
 * its users and instrumentations are written against it:
 * <ul>
 *   <li>attaching the context that is already current returns a no-op scope;</li>
 *   <li>with contextvars4j vars set, {@code Context.current()} is the same object while nothing
 *       changed (and allocates nothing), {@code with(key, value already there)} returns
 *       {@code this}, and a context read again after a scope closed equals the one read before;
 *       it equals {@code Context.root()} only while no var is set, because it carries the vars
 *       that OpenTelemetry's wrappers must take along;</li>
 *   <li>closing a scope twice is harmless;</li>
 *   <li>closing a scope that is not the current one (out of order, on another thread, or after its
 *       contextvars4j context was left) is ignored and logged at DEBUG, as OpenTelemetry's default
 *       storage does: the thread that closes it is not touched, and the scope can still be closed
 *       when it is current again; OpenTelemetry's strict mode
 *       ({@code -Dio.opentelemetry.context.enableStrictContext=true}) wraps this storage and
 *       reports such scopes, and leaked ones, as errors;</li>
 *   <li>a scope left open inside {@link org.contextvars4j.Context#run} ends with the run; if its
 *       attach entered carried vars (a context captured on another thread, or returned by
 *       {@code extract}), the run also fails, as it does for any context left entered;</li>
 *   <li>values of any type stored under a {@code ContextKey} (gRPC or Brave contexts, for
 *       instance) are kept as they are.</li>
 * </ul>
 * The contextvars4j API keeps its own rules (SPEC S5-S8).
 *
 * <h2>Across processes</h2>
 *
 * <p>{@link org.contextvars4j.opentelemetry.VarBaggagePropagator} injects an allow-list of vars,
 * each through its {@link org.contextvars4j.opentelemetry.VarCodec}, into the {@code baggage}
 * header and extracts them from it, dropping and reporting
 * ({@link org.contextvars4j.opentelemetry.DropReason}) whatever inbound text is malformed, too
 * large, duplicated, not allowed or rejected. Carriers:
 * {@link org.contextvars4j.opentelemetry.HttpClientPropagation} (outbound,
 * {@code java.net.http}), {@link org.contextvars4j.opentelemetry.HttpServerPropagationFilter}
 * (inbound, the JDK's HTTP server) and
 * {@link org.contextvars4j.opentelemetry.ServletPropagationFilter} (inbound, Jakarta Servlet 6).
 */
package org.contextvars4j.opentelemetry;
