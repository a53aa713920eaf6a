package org.contextvars4j.spring.boot.autoconfigure;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** Counts the exchanges running inside the web filter's context, for the {@code contextvars4j.scopes.open} gauge. */
final class OpenScopesWebFilter implements WebFilter, Ordered {

    private final OpenScopes scopes;
    private final int order;

    OpenScopesWebFilter(OpenScopes scopes, int order) {
        this.scopes = scopes;
        this.order = order;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return Mono.defer(() -> {
            scopes.opened();
            return chain.filter(exchange).doFinally(signal -> scopes.closed());
        });
    }

    @Override
    public int getOrder() {
        return order;
    }
}
