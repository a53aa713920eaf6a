/**
 * contextvars4j for gRPC: one store for gRPC's {@code io.grpc.Context} and the contextvars4j
 * context, each call in a fresh context, chosen vars across calls, deadlines and cancellation as
 * context values.
 *
 * <h2>One store</h2>
 *
 * <p>{@code io.grpc.override.ContextStorageOverride}, which gRPC loads by name when this jar is
 * on the class path, keeps {@code io.grpc.Context.current()} inside the current contextvars4j
 * context: every contextvars4j hand-off carries gRPC's context (values, deadline, cancellation),
 * and gRPC's own hand-offs ({@code Context.wrap}, {@code currentContextExecutor}, client call
 * callbacks) carry the contextvars4j vars.
 *
 * <h2>Each call in a fresh context</h2>
 *
 * <p>{@link org.contextvars4j.grpc.ContextServerInterceptor} runs every handler callback of a call
 * in the call's own context, with the request id and the user set as the web filters set them
 * ({@link org.contextvars4j.web.RequestVars}), through the same
 * {@link org.contextvars4j.web.Authenticator} hook and access rules.
 *
 * <h2>Across calls</h2>
 *
 * <p>{@link org.contextvars4j.grpc.GrpcBaggage} carries an allow-list of vars in {@code baggage}
 * metadata with the HTTP path's propagator (needs {@code contextvars4j-opentelemetry}).
 *
 * <h2>Deadlines and cancellation</h2>
 *
 * <p>{@link org.contextvars4j.grpc.Cancellation} reads "how long may I still take?" and "should I
 * stop?" from the context, in a call or in any other work, and can cancel handed-off tasks.
 */
package org.contextvars4j.grpc;
