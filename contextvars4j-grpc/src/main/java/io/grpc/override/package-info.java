/**
 * The class gRPC looks up by name to replace its context storage:
 * {@link io.grpc.override.ContextStorageOverride} keeps {@code io.grpc.Context.current()} in the
 * current contextvars4j context. The package holds nothing else.
 */
package io.grpc.override;
