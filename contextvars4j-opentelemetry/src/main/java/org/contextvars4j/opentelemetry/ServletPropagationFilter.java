package org.contextvars4j.opentelemetry;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.Objects;

/**
 * Inbound propagation for Jakarta Servlet containers: extracts the request's headers with a
 * propagator and runs the rest of the chain in its own copy of the contextvars4j context, with the
 * extracted OpenTelemetry context (trace parent, baggage) and the extracted vars current.
 *
 * <p>Register an instance programmatically ({@code ServletContext.addFilter(name,
 * ServletPropagationFilter.of(propagator))}, or your container's equivalent). With the web module's
 * request filter, map that one first: this filter then runs inside the request context it
 * created, in a copy of it. Used alone, it gives each request a context of its own. It needs
 * {@code jakarta.servlet-api} 6, which the container provides; requests that are not HTTP pass
 * through untouched. A request's headers never make it fail: see {@link VarBaggagePropagator}.
 */
public final class ServletPropagationFilter implements Filter {

    private static final TextMapGetter<HttpServletRequest> GETTER = new TextMapGetter<>() {
        @Override
        public String get(HttpServletRequest carrier, String key) {
            return carrier == null ? null : carrier.getHeader(key);
        }

        @Override
        public Iterator<String> getAll(HttpServletRequest carrier, String key) {
            Enumeration<String> values = carrier == null ? null : carrier.getHeaders(key);
            return values == null ? Collections.emptyIterator() : values.asIterator();
        }
    };

    private final TextMapPropagator propagator;

    private ServletPropagationFilter(TextMapPropagator propagator) {
        this.propagator = propagator;
    }

    /**
     * Returns a filter that extracts with {@code propagator}.
     *
     * @param propagator usually a composite of the trace-context, baggage and var propagators
     * @return the filter
     * @throws NullPointerException if {@code propagator} is null
     */
    public static ServletPropagationFilter of(TextMapPropagator propagator) {
        return new ServletPropagationFilter(Objects.requireNonNull(propagator, "propagator"));
    }

    /**
     * Runs the chain with the context extracted from the request's headers.
     *
     * @param request the request
     * @param response the response
     * @param chain the rest of the chain
     * @throws IOException as the chain does
     * @throws ServletException as the chain does
     */
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest)) {
            chain.doFilter(request, response);
            return;
        }
        Inbound.<HttpServletRequest, IOException, ServletException>run(propagator, (HttpServletRequest) request,
                GETTER, () -> chain.doFilter(request, response));
    }
}
