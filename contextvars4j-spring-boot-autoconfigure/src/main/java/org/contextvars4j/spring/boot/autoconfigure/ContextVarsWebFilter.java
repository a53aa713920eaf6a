package org.contextvars4j.spring.boot.autoconfigure;

import java.nio.charset.StandardCharsets;

import org.contextvars4j.Context;
import org.contextvars4j.micrometer.ContextThreadLocalAccessor;
import org.contextvars4j.web.Admission;
import org.contextvars4j.web.RequestPolicy;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The WebFlux counterpart of the servlet {@code RequestScopeFilter}: each exchange gets a fresh
 * {@link Context} in which {@link RequestPolicy#admit} sets the request id (a valid inbound one,
 * else a generated one, echoed in the response) and the user (from an
 * {@code Authenticator<ServerHttpRequest>}, which runs on the event loop and must not block);
 * a refused exchange is answered {@code 401} or {@code 403} with the policy's JSON body. The
 * chain then runs with that context in the Reactor context under
 * {@link ContextThreadLocalAccessor#KEY}: with Reactor's automatic context propagation on, every
 * operator, on whichever scheduler, runs in a copy of it.
 */
public final class ContextVarsWebFilter implements WebFilter, Ordered {

    private final RequestPolicy<ServerHttpRequest> policy;
    private final int order;

    private ContextVarsWebFilter(RequestPolicy<ServerHttpRequest> policy, int order) {
        this.policy = policy;
        this.order = order;
    }

    /**
     * Returns a builder of the policy whose {@code build()} returns the filter.
     *
     * @param order the filter's order among the web filters
     * @return the builder
     */
    public static RequestPolicy.Builder<ServerHttpRequest, ContextVarsWebFilter> builder(int order) {
        return RequestPolicy.builder(policy -> new ContextVarsWebFilter(policy, order));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        Context context = new Context();
        Admission admission = context.supply(() -> policy.admit(request, request.getPath().pathWithinApplication().value(),
                request.getHeaders().get(policy.requestIdHeader())));
        ServerHttpResponse response = exchange.getResponse();
        response.getHeaders().set(policy.requestIdHeader(), admission.requestId());
        if (!admission.isAllowed()) {
            response.setStatusCode(HttpStatus.valueOf(admission.status()));
            admission.challenge().ifPresent(c -> response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, c));
            response.getHeaders().setCacheControl("no-store");
            response.getHeaders().setContentType(MediaType.parseMediaType(Admission.CONTENT_TYPE));
            byte[] body = admission.body().getBytes(StandardCharsets.UTF_8);
            return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
        }
        return chain.filter(exchange).contextWrite(reactor -> reactor.put(ContextThreadLocalAccessor.KEY, context));
    }

    @Override
    public int getOrder() {
        return order;
    }

    @Override
    public String toString() {
        return "ContextVarsWebFilter[" + policy + ", order=" + order + "]";
    }
}
