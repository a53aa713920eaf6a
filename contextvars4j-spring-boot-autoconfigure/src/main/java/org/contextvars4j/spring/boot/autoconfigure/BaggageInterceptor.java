package org.contextvars4j.spring.boot.autoconfigure;

import java.io.IOException;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Writes the allowed vars of the current context (and OpenTelemetry's baggage) into the
 * {@code baggage} header of outbound {@code RestClient} and {@code RestTemplate} calls. The
 * setter replaces the header, as the propagator requires.
 */
final class BaggageInterceptor implements ClientHttpRequestInterceptor {

    /** Replaces the header, as the propagator requires; shared with {@link BaggageExchangeFilter}. */
    static final TextMapSetter<HttpHeaders> SETTER = (headers, key, value) -> {
        if (headers != null) {
            headers.set(key, value);
        }
    };

    private final TextMapPropagator propagator;

    BaggageInterceptor(TextMapPropagator propagator) {
        this.propagator = propagator;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        propagator.inject(Context.current(), request.getHeaders(), SETTER);
        return execution.execute(request, body);
    }

    @Override
    public String toString() {
        return "BaggageInterceptor[" + propagator + "]";
    }
}
