package org.contextvars4j.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.contextvars4j.Context;
import org.contextvars4j.web.Admission;
import org.contextvars4j.web.RequestPolicy;

/**
 * A Servlet filter that runs each request in a fresh, empty {@link Context} holding its request
 * id and user, answers {@code 401}/{@code 403} where the policy requires, and keeps the context
 * across async processing.
 *
 * <h2>Each request</h2>
 * <ol>
 *   <li>A new, empty context is entered on the container thread; what that thread held before
 *       is not visible inside and is current again afterwards.</li>
 *   <li>{@link RequestPolicy#admit} picks the request id (echoed in the response header before
 *       anything else is written), runs the {@link org.contextvars4j.web.Authenticator} and
 *       applies the access rules. A refusal is answered here with a small JSON body; the chain is
 *       not called.</li>
 *   <li>A {@link org.contextvars4j.RequestScope} opens in the context, and the chain runs there,
 *       with the request wrapped so that async processing keeps the context (below).</li>
 *   <li>The request ends when the filter returns, or for an async request at async completion:
 *       the scope closes its {@link org.contextvars4j.ScopedResource}s, last opened first, and
 *       drops its memoized results. A close failure propagates like a failure of the chain (at
 *       async completion, to the container, which logs it).</li>
 * </ol>
 *
 * <h2>Async</h2>
 * The request passed down the chain returns from {@code startAsync()} and
 * {@code getAsyncContext()} an {@code AsyncContext} whose {@code start(Runnable)} runs the task
 * in a copy of the context current at the call (P2), and whose {@code addListener} makes every
 * callback run in a copy of the context current when the listener was added. An
 * {@code AsyncContext.dispatch()} comes back through this filter (register it for the
 * {@code ASYNC} dispatcher type), which runs the dispatched chain in a copy of the request's
 * context. Listeners are called in the order they were added, then the request ends.
 *
 * <h2>Configuration</h2>
 * Declared in {@code web.xml} or with {@code ServletContext.addFilter(name, Class)}, the filter
 * reads its init parameters (see {@link RequestPolicy}); built with {@link #builder()}, it
 * ignores them. The public constructor exists for containers; code uses the builder.
 */
public final class RequestScopeFilter implements Filter {

    /** The request attribute holding a request's state, shared by all its dispatches. */
    static final String STATE = RequestScopeFilter.class.getName() + ".state";

    private volatile RequestPolicy<HttpServletRequest> policy;

    /** For containers, which create the filter by class and call {@link #init}; code uses {@link #builder()}. */
    public RequestScopeFilter() {
    }

    private RequestScopeFilter(RequestPolicy<HttpServletRequest> policy) {
        this.policy = policy;
    }

    /**
     * Returns a builder for programmatic registration, for example
     * {@code context.addFilter(new FilterHolder(RequestScopeFilter.builder().requireUser("/api/*").build()), "/*", ...)}.
     *
     * @return a builder whose {@code build()} returns the filter
     */
    public static RequestPolicy.Builder<HttpServletRequest, RequestScopeFilter> builder() {
        return RequestPolicy.builder(RequestScopeFilter::new);
    }

    /**
     * Reads the init parameters, unless the filter was built with {@link #builder()}.
     *
     * @param config the filter's configuration
     * @throws ServletException if an init parameter is malformed (the message names it)
     */
    @Override
    public void init(FilterConfig config) throws ServletException {
        if (policy != null) {
            return;
        }
        try {
            policy = RequestPolicy.<HttpServletRequest, RequestPolicy<HttpServletRequest>>builder(p -> p)
                    .initParameters(config::getInitParameter)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ServletException("filter " + config.getFilterName() + ": " + e.getMessage(), e);
        }
    }

    /** {@return the policy this filter applies} */
    RequestPolicy<HttpServletRequest> policy() {
        RequestPolicy<HttpServletRequest> p = policy;
        if (p == null) {
            throw new IllegalStateException("filter " + getClass().getName() + " used before init");
        }
        return p;
    }

    /**
     * Runs the request in its context; see the class description.
     *
     * @param request the request
     * @param response the response
     * @param chain the rest of the chain
     * @throws IOException as thrown by the chain
     * @throws ServletException as thrown by the chain
     */
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)) {
            chain.doFilter(request, response);
            return;
        }
        RequestState existing = (RequestState) request.getAttribute(STATE);
        if (existing != null) {
            existing.redispatch(http, response, chain);
            return;
        }
        RequestPolicy<HttpServletRequest> p = policy();
        RequestState state = new RequestState();
        request.setAttribute(STATE, state);
        RequestState.runIn(state.context(), () -> {
            Admission admission = p.admit(http, pathOf(http), headerValues(http, p.requestIdHeader()));
            state.started(admission.requestId());
            httpResponse.setHeader(p.requestIdHeader(), admission.requestId());
            if (admission.isAllowed()) {
                state.openScope();
                state.dispatch(http, response, chain);
            } else {
                refuse(httpResponse, admission);
            }
        });
    }

    /** The path within the application, as the container decoded and normalised it. */
    static String pathOf(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
        return path.isEmpty() ? "/" : path;
    }

    /**
     * {@return the values of header {@code name}, in order; null when the container gives none}
     * The usual single value comes back in a one-element list, with no growing copy.
     */
    static List<String> headerValues(HttpServletRequest request, String name) {
        Enumeration<String> values = request.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return values == null ? null : List.of();
        }
        String first = values.nextElement();
        if (!values.hasMoreElements()) {
            return Collections.singletonList(first);
        }
        List<String> all = new ArrayList<>(4);
        all.add(first);
        while (values.hasMoreElements()) {
            all.add(values.nextElement());
        }
        return all;
    }

    private static void refuse(HttpServletResponse response, Admission admission) throws IOException {
        response.setStatus(admission.status());
        admission.challenge().ifPresent(c -> response.setHeader("WWW-Authenticate", c));
        response.setHeader("Cache-Control", "no-store");
        byte[] body = admission.body().getBytes(StandardCharsets.UTF_8);
        response.setContentType(Admission.CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    @Override
    public String toString() {
        return "RequestScopeFilter[" + policy + "]";
    }
}
