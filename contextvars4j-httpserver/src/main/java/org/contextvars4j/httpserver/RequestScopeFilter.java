package org.contextvars4j.httpserver;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.contextvars4j.Context;
import org.contextvars4j.RequestScope;
import org.contextvars4j.web.Admission;
import org.contextvars4j.web.RequestPolicy;

/**
 * A {@code com.sun.net.httpserver} filter that runs each exchange in a fresh, empty
 * {@link Context} holding its request id and user, and answers {@code 401}/{@code 403} where the
 * policy requires.
 *
 * <pre>{@code
 * HttpContext context = server.createContext("/", handler);
 * context.getFilters().add(RequestScopeFilter.builder()
 *         .authenticator(exchange -> ...)
 *         .requireUser("/api/*")
 *         .build());
 * }</pre>
 *
 * <p>For each exchange: a new, empty context is entered on the server thread (what that thread
 * held is not visible inside, and is current again afterwards);
 * {@link RequestPolicy#admit} picks the request id (set in the response headers before the
 * handler runs), runs the authenticator and applies the rules to the path within the server
 * (the request URI's decoded path); a refusal is answered with a small JSON body and the
 * exchange is closed; otherwise a {@link RequestScope} opens and the chain runs in it, and the
 * request ends when the chain returns or throws: the scope closes its
 * {@link org.contextvars4j.ScopedResource}s, last opened first (close failures as
 * {@link RequestScope#call} reports them).
 */
public final class RequestScopeFilter extends Filter {

    private final RequestPolicy<HttpExchange> policy;

    private RequestScopeFilter(RequestPolicy<HttpExchange> policy) {
        this.policy = policy;
    }

    /**
     * {@return a builder whose {@code build()} returns the filter}
     */
    public static RequestPolicy.Builder<HttpExchange, RequestScopeFilter> builder() {
        return RequestPolicy.builder(RequestScopeFilter::new);
    }

    /**
     * Returns a filter configured from named parameters, as the Servlet filter reads its init
     * parameters (see {@link RequestPolicy}).
     *
     * @param parameters the parameters, for example loaded from a properties file
     * @return the filter
     * @throws IllegalArgumentException if a parameter is malformed
     */
    public static RequestScopeFilter fromParameters(Map<String, String> parameters) {
        Objects.requireNonNull(parameters, "parameters");
        return builder().initParameters(parameters::get).build();
    }

    /**
     * Runs the exchange in its context; see the class description.
     *
     * @param exchange the exchange
     * @param chain the rest of the chain
     * @throws IOException as thrown by the chain or while writing a refusal
     */
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        try {
            new Context().call(() -> {
                Admission admission = policy.admit(exchange, exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().get(policy.requestIdHeader()));
                exchange.getResponseHeaders().set(policy.requestIdHeader(), admission.requestId());
                if (admission.isAllowed()) {
                    RequestScope.call(() -> {
                        chain.doFilter(exchange);
                        return null;
                    });
                } else {
                    refuse(exchange, admission);
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException(e));   // unreachable: the body throws nothing else
        }
    }

    private static void refuse(HttpExchange exchange, Admission admission) throws IOException {
        admission.challenge().ifPresent(c -> exchange.getResponseHeaders().set("WWW-Authenticate", c));
        exchange.getResponseHeaders().set("Content-Type", Admission.CONTENT_TYPE);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        byte[] body = admission.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(admission.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** {@return a short description, shown by the server} */
    @Override
    public String description() {
        return "contextvars4j request scope: " + policy;
    }
}
