/**
 * contextvars4j for gRPC: gRPC's {@code io.grpc.Context} kept inside the contextvars4j context,
 * each call run in a fresh context with the request id and the user, chosen vars carried across
 * calls in W3C {@code baggage} metadata, and deadlines and cancellation read as context values.
 * See the package {@link org.contextvars4j.grpc}.
 */
module org.contextvars4j.grpc {
    requires transitive org.contextvars4j;
    requires transitive org.contextvars4j.web;
    requires transitive io.grpc;
    requires java.logging;
    // Only GrpcBaggage needs it (the propagator is the HTTP path's own), and only a user of
    // GrpcBaggage: that user requires org.contextvars4j.opentelemetry too. Not transitive, so
    // that a module without OpenTelemetry on its path can require this one.
    requires static org.contextvars4j.opentelemetry;

    exports org.contextvars4j.grpc;
    // gRPC instantiates io.grpc.override.ContextStorageOverride reflectively, by name. grpc-api
    // (the automatic module io.grpc) holds no class of this package, so it is not split.
    exports io.grpc.override;
}
