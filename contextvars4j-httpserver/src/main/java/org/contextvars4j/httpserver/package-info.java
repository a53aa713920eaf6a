/**
 * The web request scope for the JDK's built-in {@code com.sun.net.httpserver}:
 * {@link org.contextvars4j.httpserver.RequestScopeFilter}, with the same options as the Servlet
 * filter ({@link org.contextvars4j.web.RequestPolicy}).
 *
 * <p>Each exchange runs in a fresh, empty {@link org.contextvars4j.Context} holding the request
 * id and the user ({@link org.contextvars4j.web.RequestVars}); the server thread's own context
 * is untouched before and after. The JDK server has no async API: the request ends when the
 * filter chain returns, so a handler that finishes an exchange on another thread hands the
 * context on itself (for example with {@code ContextExecutors.wrap}).
 */
package org.contextvars4j.httpserver;
