/**
 * The web request scope for any Jakarta Servlet 6.0 container:
 * {@link org.contextvars4j.servlet.RequestScopeFilter}.
 *
 * <p>Each request runs in a fresh, empty {@link org.contextvars4j.Context} holding the request
 * id and the user ({@link org.contextvars4j.web.RequestVars}); the container thread's own
 * context is untouched before and after. Async requests keep that context:
 * {@code AsyncContext.start(Runnable)}, {@code AsyncListener} callbacks and {@code dispatch()}
 * run in it, and the request ends at async completion, not when the filter returns.
 *
 * <p>Register the filter for the {@code REQUEST} and {@code ASYNC} dispatcher types (and
 * {@code ERROR} if error pages should see the request's values), with async support on. Options
 * come from the filter's init parameters or from
 * {@link org.contextvars4j.servlet.RequestScopeFilter#builder()}; both are described in
 * {@link org.contextvars4j.web.RequestPolicy}.
 */
package org.contextvars4j.servlet;
