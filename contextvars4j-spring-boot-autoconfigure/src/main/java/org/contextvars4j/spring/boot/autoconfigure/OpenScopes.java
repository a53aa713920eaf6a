package org.contextvars4j.spring.boot.autoconfigure;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many requests are inside the request filter's per-request context right now: a servlet
 * dispatch between entering and leaving the filter chain after the request filter, or a WebFlux
 * exchange between the subscription to the rest of the chain and its end. Fed by
 * {@link OpenScopesFilter} and {@link OpenScopesWebFilter}, read by the
 * {@code contextvars4j.scopes.open} gauge.
 */
final class OpenScopes {

    private final LongAdder open = new LongAdder();

    void opened() {
        open.increment();
    }

    void closed() {
        open.decrement();
    }

    /** {@return the requests inside the scope now} */
    long count() {
        return open.sum();
    }

    @Override
    public String toString() {
        return "OpenScopes[" + count() + "]";
    }
}
