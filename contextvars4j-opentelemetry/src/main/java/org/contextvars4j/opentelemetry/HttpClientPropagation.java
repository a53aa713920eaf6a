package org.contextvars4j.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.net.http.HttpRequest;
import java.util.Objects;

/**
 * Outbound propagation for {@link java.net.http.HttpClient}: writes the current context's headers
 * ({@code traceparent}, {@code baggage}, ...) into an {@link HttpRequest.Builder}.
 *
 * <p>Headers are set with {@link HttpRequest.Builder#setHeader}, which replaces an earlier value,
 * so propagators that write the same header (as {@code W3CBaggagePropagator} and
 * {@link VarBaggagePropagator} do) leave one header.
 */
public final class HttpClientPropagation {

    private static final TextMapSetter<HttpRequest.Builder> SETTER = (builder, key, value) -> {
        if (builder != null) {
            builder.setHeader(key, value);
        }
    };

    private HttpClientPropagation() {
    }

    /**
     * Injects {@code Context.current()} into {@code request} with {@code propagator}.
     *
     * @param propagator usually a composite of the trace-context, baggage and var propagators
     * @param request the request being built
     * @return {@code request}, for chaining
     * @throws NullPointerException if an argument is null
     */
    public static HttpRequest.Builder inject(TextMapPropagator propagator, HttpRequest.Builder request) {
        Objects.requireNonNull(propagator, "propagator");
        Objects.requireNonNull(request, "request");
        propagator.inject(Context.current(), request, SETTER);
        return request;
    }
}
