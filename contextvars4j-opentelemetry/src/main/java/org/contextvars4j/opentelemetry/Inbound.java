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
     *
     * <p>When there is nothing to extract, the chain runs in the copy alone: a
     * {@link VarBaggagePropagator} is not asked when the carrier has no {@code baggage} header
     * (it would return its input), and a context the propagator returned unchanged is not made
     * current again (it is current already). Either way the current OpenTelemetry context is not
     * read, so a request without baggage costs one context copy.
     */
    @SuppressWarnings("try") // the scopes are held for their extent, never read
    static <C, E1 extends Exception, E2 extends Exception> void run(
            TextMapPropagator propagator, C carrier, TextMapGetter<C> getter, Chain<E1, E2> chain) throws E1, E2 {
        Context extracted = null;
        if (!nothingToExtract(propagator, carrier, getter)) {
            Context current = Context.current();
            extracted = propagator.extract(current, carrier, getter);
            if (extracted == current) {
                extracted = null;
            }
        }
        try (org.contextvars4j.Scope request = org.contextvars4j.Context.copyCurrent().enter()) {
            if (extracted == null) {
                chain.proceed();
                return;
            }
            try (Scope otel = extracted.makeCurrent()) {
                chain.proceed();
            }
        }
    }

    /** {@return whether {@code propagator} is known to extract nothing from {@code carrier}} */
    static <C> boolean nothingToExtract(TextMapPropagator propagator, C carrier, TextMapGetter<C> getter) {
        return propagator instanceof VarBaggagePropagator && getter != null && getter.get(carrier, W3cBaggage.HEADER) == null;
    }
}
