package org.contextvars4j.web;

import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link Authenticator} made of a request: an authenticated user, no credentials at all
 * (anonymous), or credentials that were presented and refused. Immutable.
 *
 * <p>An anonymous request goes on where no rule requires a user and gets {@code 401} where one
 * does. Refused credentials get {@code 401} on every path: a client that sends a wrong token
 * learns it at once instead of being served as anonymous.
 */
public final class Authentication {

    private static final Authentication ANONYMOUS = new Authentication(null, null);

    private final User user;
    private final String refusal;

    private Authentication(User user, String refusal) {
        this.user = user;
        this.refusal = refusal;
    }

    /**
     * {@return an authenticated user}
     *
     * @param user the user
     * @throws NullPointerException if {@code user} is null
     */
    public static Authentication of(User user) {
        return new Authentication(Objects.requireNonNull(user, "user"), null);
    }

    /** {@return the result for a request that carries no credentials} */
    public static Authentication anonymous() {
        return ANONYMOUS;
    }

    /**
     * Returns the result for credentials that were presented and refused. The reason is for
     * the server's own use (tests, logs); it is never sent to the client.
     *
     * @param reason why, for example {@code "expired token"}
     * @return the refusal
     * @throws NullPointerException if {@code reason} is null
     */
    public static Authentication refused(String reason) {
        return new Authentication(null, Objects.requireNonNull(reason, "reason"));
    }

    /** {@return the authenticated user; empty when anonymous or refused} */
    public Optional<User> user() {
        return Optional.ofNullable(user);
    }

    /** {@return whether credentials were presented and refused} */
    public boolean isRefused() {
        return refusal != null;
    }

    /** {@return why the credentials were refused; empty unless {@link #isRefused()}} */
    public Optional<String> refusalReason() {
        return Optional.ofNullable(refusal);
    }

    @Override
    public String toString() {
        if (user != null) {
            return "Authentication[" + user + "]";
        }
        return refusal != null ? "Authentication[refused: " + refusal + "]" : "Authentication[anonymous]";
    }
}
