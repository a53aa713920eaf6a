package org.contextvars4j.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;

/** What the inbound filters share: extract, then run the request in its own context. */
final class Inbound {

    /** The rest of the filter chain; the checked exceptions are the container's. */
    interface Chain<E1 extends Exception, E2 extends Exception> {
        void proceed() throws E1, E2;
    }

    private Inbound() {
    }

    /**
     * Extracts from {@code carrier} and runs {@code chain} in a copy of the current contextvars4j
     * context, with the extracted OpenTelemetry context (and vars) current. The thread's context
     * is what it was before, however the chain ends.
     */
    @SuppressWarnings("try") // the scopes are held for their extent, never read
    static <C, E1 extends Exception, E2 extends Exception> void run(
            TextMapPropagator propagator, C carrier, TextMapGetter<C> getter, Chain<E1, E2> chain) throws E1, E2 {
        Context extracted = propagator.extract(Context.current(), carrier, getter);
        try (org.contextvars4j.Scope request = org.contextvars4j.Context.copyCurrent().enter();
             Scope otel = extracted.makeCurrent()) {
            chain.proceed();
        }
    }
}
