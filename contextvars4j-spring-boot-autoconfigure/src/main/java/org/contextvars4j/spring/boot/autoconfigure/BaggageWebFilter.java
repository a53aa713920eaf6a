package org.contextvars4j.spring.boot.autoconfigure;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.contextvars4j.Context;
import org.contextvars4j.micrometer.ContextThreadLocalAccessor;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Inbound baggage in WebFlux, the counterpart of the servlet {@code ServletPropagationFilter}:
 * extracts the allowed vars from the exchange's {@code baggage} header with the application's
 * propagator (so its drops are counted with the others), into a copy of the exchange's context
 * (the one {@link ContextVarsWebFilter} put under {@link ContextThreadLocalAccessor#KEY}, or a
 * fresh one), and runs the rest of the chain with that copy under the key. A request without
 * allowed vars passes through unchanged.
 */
final class BaggageWebFilter implements WebFilter, Ordered {

    private static final TextMapGetter<HttpHeaders> GETTER = new TextMapGetter<>() {
        @Override
        public String get(HttpHeaders carrier, String key) {
            return carrier == null ? null : carrier.getFirst(key);
        }

        @Override
        public Iterator<String> getAll(HttpHeaders carrier, String key) {
            List<String> values = carrier == null ? null : carrier.get(key);
            return values == null ? Collections.emptyIterator() : values.iterator();
        }
    };

    /** The W3C baggage header. */
    private static final String BAGGAGE = "baggage";

    private final TextMapPropagator propagator;
    private final int order;

    BaggageWebFilter(TextMapPropagator propagator, int order) {
        this.propagator = propagator;
        this.order = order;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        if (!headers.containsHeader(BAGGAGE)) {
            return chain.filter(exchange);
        }
        return Mono.deferContextual(view -> {
            Context request = view.getOrDefault(ContextThreadLocalAccessor.KEY, null);
            Context withVars = (request != null ? request.copy() : new Context()).supply(() -> extract(headers));
            return withVars == null
                    ? chain.filter(exchange)
                    : chain.filter(exchange).contextWrite(reactor -> reactor.put(ContextThreadLocalAccessor.KEY, withVars));
        });
    }

    /** {@return a copy of the current context with the extracted vars, or null when none was extracted} */
    @SuppressWarnings("try") // the scope is held for its extent, never read
    private Context extract(HttpHeaders headers) {
        io.opentelemetry.context.Context current = io.opentelemetry.context.Context.current();
        io.opentelemetry.context.Context extracted = propagator.extract(current, headers, GETTER);
        if (extracted == current) {
            return null;
        }
        try (Scope scope = extracted.makeCurrent()) {
            return Context.copyCurrent();
        }
    }

    @Override
    public int getOrder() {
        return order;
    }

    @Override
    public String toString() {
        return "BaggageWebFilter[" + propagator + ", order=" + order + "]";
    }
}
