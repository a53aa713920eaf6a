package org.contextvars4j.opentelemetry;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Inbound propagation for the JDK's {@link com.sun.net.httpserver.HttpServer}: extracts the
 * request's headers with a propagator and runs the rest of the chain in its own copy of the
 * contextvars4j context, with the extracted OpenTelemetry context (trace parent, baggage) and the
 * extracted vars current.
 *
 * <p>Add it with {@code context.getFilters().add(HttpServerPropagationFilter.of(propagator))}.
 * With the web module's request filter, add that one first: this filter then runs inside the
 * request context it created, in a copy of it. Used alone, it gives each request a context of its
 * own. A request's headers never make it fail: see {@link VarBaggagePropagator}.
 */
public final class HttpServerPropagationFilter extends Filter {

    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public String get(Headers carrier, String key) {
            return carrier == null ? null : carrier.getFirst(key);
        }

        @Override
        public Iterator<String> getAll(Headers carrier, String key) {
            List<String> values = carrier == null ? null : carrier.get(key);
            return values == null ? Collections.emptyIterator() : values.iterator();
        }
    };

    private final TextMapPropagator propagator;

    private HttpServerPropagationFilter(TextMapPropagator propagator) {
        this.propagator = propagator;
    }

    /**
     * Returns a filter that extracts with {@code propagator}.
     *
     * @param propagator usually a composite of the trace-context, baggage and var propagators
     * @return the filter
     * @throws NullPointerException if {@code propagator} is null
     */
    public static HttpServerPropagationFilter of(TextMapPropagator propagator) {
        return new HttpServerPropagationFilter(Objects.requireNonNull(propagator, "propagator"));
    }

    /**
     * Runs the chain with the context extracted from the request's headers.
     *
     * @param exchange the request
     * @param chain the rest of the chain
     * @throws IOException as the chain does
     */
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        Inbound.<Headers, IOException, IOException>run(propagator, exchange.getRequestHeaders(), GETTER,
                () -> chain.doFilter(exchange));
    }

    /** {@return a description naming the propagator} */
    @Override
    public String description() {
        return "contextvars4j: extracts " + propagator + " and runs the request in its own context";
    }
}
