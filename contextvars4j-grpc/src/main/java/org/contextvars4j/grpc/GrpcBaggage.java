package org.contextvars4j.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Collections;
import java.util.Iterator;
import java.util.Objects;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.opentelemetry.VarBaggagePropagator;

/**
 * Chosen vars across gRPC calls, in W3C {@code baggage} metadata, with the HTTP path's own
 * {@link VarBaggagePropagator}: the same allow-list, codecs, limits (64 list-members, 8,192
 * characters) and drop reports ({@link VarBaggagePropagator#dropCount}). Share one propagator
 * between HTTP and gRPC and its counts cover both.
 *
 * <ul>
 *   <li>Outbound: {@link #clientInterceptor()} writes the allowed vars of the context current when
 *       the call starts into the {@code baggage} metadata (replacing any).</li>
 *   <li>Inbound: {@link ContextServerInterceptor#builder(GrpcBaggage)} sets them in the call's
 *       fresh context. Whatever is malformed, too large, duplicated (two {@code baggage} entries,
 *       or one var twice), not allowed or rejected by its codec is dropped, counted and logged,
 *       and the call goes on.</li>
 * </ul>
 *
 * <p>Needs {@code contextvars4j-opentelemetry} (an optional dependency of this module) with its
 * bridge as OpenTelemetry's context storage, which it is when that module is on the path and no
 * other storage provider is (see its {@code ContextVarsStorageProvider}): the propagator hands the
 * extracted vars over as an OpenTelemetry context, which the bridge turns into contextvars4j vars.
 * {@link #of} checks it.
 *
 * <p>gRPC's transports limit the size of all request headers together (Netty: 8 KiB by default,
 * {@code maxInboundMetadataSize}); a call over that limit fails in the transport, before any
 * interceptor, so the propagator's own limit only applies to headers the transport accepted.
 *
 * @implNote Thread-safe and immutable; share one instance.
 */
public final class GrpcBaggage {

    private static final Metadata.Key<String> BAGGAGE = Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER);

    private static final TextMapSetter<Metadata> SETTER = (metadata, key, value) -> {
        if (metadata != null && BAGGAGE.name().equals(key)) {
            metadata.removeAll(BAGGAGE);
            metadata.put(BAGGAGE, value);
        }
    };

    private static final TextMapGetter<Metadata> GETTER = new TextMapGetter<>() {
        @Override
        public String get(Metadata carrier, String key) {
            return BAGGAGE.name().equals(key) && carrier != null ? carrier.get(BAGGAGE) : null;
        }

        @Override
        public Iterator<String> getAll(Metadata carrier, String key) {
            Iterable<String> all = BAGGAGE.name().equals(key) && carrier != null ? carrier.getAll(BAGGAGE) : null;
            return all == null ? Collections.emptyIterator() : all.iterator();
        }
    };

    private final VarBaggagePropagator propagator;
    private final ClientInterceptor client = new Client();

    private GrpcBaggage(VarBaggagePropagator propagator) {
        this.propagator = propagator;
    }

    /**
     * Returns the gRPC carrier of {@code propagator}.
     *
     * @param propagator the allow-list, codecs and drop counters, as built for HTTP
     * @return the carrier
     * @throws NullPointerException if {@code propagator} is null
     * @throws IllegalStateException if OpenTelemetry's context storage is not the contextvars4j
     *         bridge, so that extracted vars could never be set
     */
    public static GrpcBaggage of(VarBaggagePropagator propagator) {
        Objects.requireNonNull(propagator, "propagator");
        if (!BridgeCheck.BRIDGED) {
            throw new IllegalStateException("OpenTelemetry's context storage is not the contextvars4j bridge ("
                    + io.opentelemetry.context.ContextStorage.get().getClass().getName()
                    + "): put contextvars4j-opentelemetry on the path and no other ContextStorageProvider,"
                    + " or name org.contextvars4j.opentelemetry.ContextVarsStorageProvider in"
                    + " -Dio.opentelemetry.context.contextStorageProvider");
        }
        return new GrpcBaggage(propagator);
    }

    /** {@return the interceptor that writes the allowed vars of the caller's context into each call's metadata} */
    public ClientInterceptor clientInterceptor() {
        return client;
    }

    /** {@return the propagator, with its drop counters} */
    public VarBaggagePropagator propagator() {
        return propagator;
    }

    /** {@return a fresh contextvars4j context holding the allowed vars of {@code headers}} */
    Context extract(Metadata headers) {
        Context fresh = new Context();
        if (!headers.containsKey(BAGGAGE)) {
            return fresh;
        }
        try {
            return fresh.call(() -> {
                io.opentelemetry.context.Context extracted =
                        propagator.extract(io.opentelemetry.context.Context.root(), headers, GETTER);
                Scope scope = extracted.makeCurrent();
                try {
                    return Context.copyCurrent();
                } finally {
                    scope.close();
                }
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("extracting baggage failed", e);
        }
    }

    @Override
    public String toString() {
        return "GrpcBaggage[" + propagator + "]";
    }

    /** Writes the baggage when the call starts, on the caller's thread, from its current context. */
    private final class Client implements ClientInterceptor {

        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<Q, A>(next.newCall(method, options)) {
                @Override
                public void start(Listener<A> listener, Metadata headers) {
                    propagator.inject(io.opentelemetry.context.Context.current(), headers, SETTER);
                    super.start(listener, headers);
                }
            };
        }

        @Override
        public String toString() {
            return "GrpcBaggage.clientInterceptor[" + propagator + "]";
        }
    }

    /** Whether an OpenTelemetry context made current sets the contextvars4j vars it carries: checked once. */
    private static final class BridgeCheck {

        static final boolean BRIDGED = check();

        private static boolean check() {
            ContextVar<Object> probe = ContextVar.of("grpc.bridge-probe");
            Object marker = new Object();
            try {
                io.opentelemetry.context.Context captured = new Context().call(() -> {
                    probe.set(marker);
                    return io.opentelemetry.context.Context.current();
                });
                return new Context().call(() -> {
                    Scope scope = captured.makeCurrent();
                    try {
                        return probe.orElse(null) == marker;
                    } finally {
                        scope.close();
                    }
                });
            } catch (Exception e) {
                return false;
            }
        }
    }
}
