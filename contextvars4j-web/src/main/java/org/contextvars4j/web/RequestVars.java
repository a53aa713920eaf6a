package org.contextvars4j.web;

import java.util.Optional;
import org.contextvars4j.ContextVar;

/**
 * The context variables a web request's context holds: the request id and the authenticated
 * user. The filters set both in the fresh context each request runs in; code anywhere below the
 * handler reads them without parameters.
 *
 * <pre>{@code
 * static String describe() {                       // no request parameter anywhere
 *     String user = RequestVars.currentUser().map(User::name).orElse("anonymous");
 *     return RequestVars.REQUEST_ID.get() + " " + user;
 * }
 * }</pre>
 *
 * <p>Outside a filtered request neither var is set: {@code REQUEST_ID.get()} throws
 * {@link java.util.NoSuchElementException} (Python's {@code LookupError}), and
 * {@link #currentUser()} is empty.
 */
public final class RequestVars {

    /**
     * The id of the current request: the inbound one when it was valid, else a fresh one. Set in
     * every filtered request; no default.
     */
    public static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");

    /**
     * The authenticated user of the current request. Set in every filtered request, to
     * {@code null} when the request carries no credentials; no default.
     */
    public static final ContextVar<User> USER = ContextVar.of("user");

    private RequestVars() {
    }

    /**
     * Returns the authenticated user of the current request: the tutorials'
     * {@code get_current_user()}.
     *
     * @return the user, or empty outside a request or for an anonymous request
     */
    public static Optional<User> currentUser() {
        return Optional.ofNullable(USER.orElse(null));
    }
}
