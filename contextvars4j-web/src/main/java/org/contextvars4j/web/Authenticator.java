package org.contextvars4j.web;

/**
 * The authentication hook: turns a request into a user, no user, or a refusal. It runs once per
 * request, before the handler, already inside the request's fresh context (with the request id
 * set), so it may log with the id.
 *
 * <p>For the Servlet filter {@code R} is {@code jakarta.servlet.http.HttpServletRequest}; for
 * the JDK server it is {@code com.sun.net.httpserver.HttpExchange}. Configured by class name
 * (the filter's {@code authenticator} init parameter), an implementation needs a public
 * no-argument constructor.
 *
 * <p>An exception thrown by {@link #authenticate} is not a refusal: it propagates to the server
 * like any failure of the request (a {@code 500}).
 *
 * @param <R> the server's request type
 */
@FunctionalInterface
public interface Authenticator<R> {

    /**
     * Authenticates a request.
     *
     * @param request the request
     * @return the user, {@link Authentication#anonymous()}, or {@link Authentication#refused}; never null
     */
    Authentication authenticate(R request);
}
