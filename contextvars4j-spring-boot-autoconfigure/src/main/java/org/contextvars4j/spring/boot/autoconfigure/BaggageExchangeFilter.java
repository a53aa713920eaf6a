package org.contextvars4j.spring.boot.autoconfigure;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.contextvars4j.micrometer.ContextThreadLocalAccessor;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Writes the allowed vars (and OpenTelemetry's baggage) into the {@code baggage} header of
 * outbound {@code WebClient} calls, with the same propagator, codecs and drop counts as the
 * {@code RestClient}/{@code RestTemplate} interceptor. The vars are read when the call is
 * subscribed: from the Reactor context of the call when it holds
 * {@link ContextThreadLocalAccessor#KEY} (a WebFlux exchange, or a pipeline that captured the
 * context), restored with every registered Micrometer accessor, else from the subscribing
 * thread's current context (a servlet request thread calling {@code block()}, an {@code @Async}
 * task).
 */
final class BaggageExchangeFilter implements ExchangeFilterFunction {

    private final TextMapPropagator propagator;
    private final boolean reactorAware;

    /**
     * @param propagator the propagator
     * @param reactorAware whether {@code contextvars4j-micrometer} is present, so that the
     *        Reactor context may hold the vars
     */
    BaggageExchangeFilter(TextMapPropagator propagator, boolean reactorAware) {
        this.propagator = propagator;
        this.reactorAware = reactorAware;
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        if (!reactorAware) {
            return next.exchange(withBaggage(request));
        }
        return Mono.deferContextual(view -> next.exchange(FromReactorContext.supply(view, this, request)));
    }

    private ClientRequest withBaggage(ClientRequest request) {
        return ClientRequest.from(request).headers(headers -> propagator.inject(Context.current(), headers, BaggageInterceptor.SETTER))
                .build();
    }

    @Override
    public String toString() {
        return "BaggageExchangeFilter[" + propagator + "]";
    }

    /** Loaded only with {@code contextvars4j-micrometer} (and so Micrometer's context propagation) present. */
    private static final class FromReactorContext {

        private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

        @SuppressWarnings("try") // the scope is held for its extent, never read
        static ClientRequest supply(ContextView view, BaggageExchangeFilter filter, ClientRequest request) {
            if (!view.hasKey(ContextThreadLocalAccessor.KEY)) {
                return filter.withBaggage(request);
            }
            try (ContextSnapshot.Scope restored = SNAPSHOTS.setThreadLocalsFrom(view)) {
                return filter.withBaggage(request);
            }
        }
    }
}
