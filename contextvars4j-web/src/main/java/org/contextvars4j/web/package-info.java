/**
 * The web request scope, independent of any server: what a request's context holds, how a
 * request id is accepted or replaced, and how a request is authenticated and admitted.
 *
 * <h2>What a request sees</h2>
 * The filters of {@code contextvars4j-servlet} and {@code contextvars4j-httpserver} run each
 * request in a fresh, empty {@link org.contextvars4j.Context}, never in whatever the server's
 * thread held before. In it, {@link org.contextvars4j.web.RequestVars#REQUEST_ID} holds the
 * request id and {@link org.contextvars4j.web.RequestVars#USER} the authenticated
 * {@link org.contextvars4j.web.User}, if any. Code anywhere below the handler reads them
 * without parameters, the way the Python tutorials' middleware and {@code get_current_user()}
 * do; work handed on through the core's propagation (wrapped executors,
 * {@code ContextCompletableFuture}) takes them along.
 *
 * <h2>Request ids</h2>
 * An inbound id is kept when it passes {@link org.contextvars4j.web.RequestIds#isValid}: 1 to
 * 128 characters from {@code [A-Za-z0-9._:-]}, sent once. Anything else (too long, control
 * characters, non-ASCII, empty, the header repeated) is replaced by a
 * {@linkplain org.contextvars4j.web.RequestIds#generate() fresh id}. The rejected value is never
 * echoed and never logged raw: at most a short escaped excerpt goes to the
 * {@code System.Logger} named {@code org.contextvars4j.web}, at {@code DEBUG}.
 *
 * <h2>Authentication and access</h2>
 * An {@link org.contextvars4j.web.Authenticator} turns a request into an
 * {@link org.contextvars4j.web.Authentication}: a user, no credentials, or refused credentials.
 * A {@link org.contextvars4j.web.RequestPolicy} combines it with the request-id header and the
 * access rules (paths that require a user, paths that require a role) and decides, for each
 * request, an {@link org.contextvars4j.web.Admission}: go on, {@code 401} or {@code 403}.
 *
 * <p>Unless otherwise specified, passing a null argument to a method of this package throws
 * {@link java.lang.NullPointerException} naming the parameter.
 */
package org.contextvars4j.web;
