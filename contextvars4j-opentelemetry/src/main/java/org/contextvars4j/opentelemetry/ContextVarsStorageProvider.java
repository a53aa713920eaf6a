package org.contextvars4j.opentelemetry;

import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.ContextStorageProvider;

/**
 * The OpenTelemetry {@link ContextStorageProvider} that keeps OpenTelemetry's current
 * {@link io.opentelemetry.context.Context} inside the current contextvars4j
 * {@link org.contextvars4j.Context}: one store for both.
 *
 * <h2>Switching it on</h2>
 *
 * <p>Put this module on the class path or module path. OpenTelemetry finds providers with
 * {@link java.util.ServiceLoader} when it first needs its storage; when this is the only provider,
 * it is used. When there are several, name it:
 * {@code -Dio.opentelemetry.context.contextStorageProvider=org.contextvars4j.opentelemetry.ContextVarsStorageProvider}.
 * (Note that {@code opentelemetry-sdk-testing} registers a provider that OpenTelemetry prefers over
 * every other.)
 *
 * <h2>What follows what</h2>
 *
 * <p>Every contextvars4j hand-off (wrapped executors, thread factories,
 * {@link org.contextvars4j.ContextCompletableFuture} stages, {@link org.contextvars4j.Context#run})
 * carries OpenTelemetry's context, so {@code Span.current()} and {@code Baggage.current()} follow
 * them. The other way round, {@code Context.current()} returns an OpenTelemetry context that also
 * carries a snapshot of the contextvars4j vars; when OpenTelemetry's own wrappers
 * ({@code Context.taskWrapping}, {@code Context.wrap}) make it current on another thread, the task
 * runs in a copy of that snapshot.
 *
 * <p>The storage's rules are OpenTelemetry's, not contextvars4j's (see
 * {@link ContextStorage#attach}): the class description of the package lists them.
 *
 * @apiNote This class is public, with a public constructor, only because
 *          {@link java.util.ServiceLoader} instantiates it from {@code META-INF/services}; there is
 *          nothing to call on it.
 */
public final class ContextVarsStorageProvider implements ContextStorageProvider {

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public ContextVarsStorageProvider() {
    }

    /** {@return the storage that keeps OpenTelemetry's context in the contextvars4j context} */
    @Override
    public ContextStorage get() {
        return BridgeStorage.INSTANCE;
    }
}
