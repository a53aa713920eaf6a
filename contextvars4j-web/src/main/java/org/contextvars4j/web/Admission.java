package org.contextvars4j.web;

import java.util.Optional;

/**
 * What {@link RequestPolicy#admit} decided for one request: its id, its user, and whether it
 * goes on or is answered at once with {@code 400}, {@code 401} or {@code 403}. A filter writes a refusal with
 * {@link #status()}, {@link #challenge()} (the {@code WWW-Authenticate} value) and
 * {@link #body()} ({@value #CONTENT_TYPE}). Immutable.
 */
public final class Admission {

    /** The content type of {@link #body()}. */
    public static final String CONTENT_TYPE = "application/json";

    private final String requestId;
    private final User user;
    private final int status;
    private final String challenge;

    Admission(String requestId, User user, int status, String challenge) {
        this.requestId = requestId;
        this.user = user;
        this.status = status;
        this.challenge = challenge;
    }

    /** {@return the request's id, also set in {@link RequestVars#REQUEST_ID} and echoed in the response} */
    public String requestId() {
        return requestId;
    }

    /** {@return the authenticated user; empty for an anonymous or refused request} */
    public Optional<User> user() {
        return Optional.ofNullable(user);
    }

    /** {@return whether the request goes on to the handler} */
    public boolean isAllowed() {
        return status == 200;
    }

    /**
     * {@return 200 when the request goes on, else 400 (an invalid request id, when
     * {@link RequestPolicy.Builder#rejectInvalidRequestIds} is on), 401 (no or refused credentials)
     * or 403 (a required role is missing)}
     */
    public int status() {
        return status;
    }

    /** {@return the {@code WWW-Authenticate} header value of a 401; empty otherwise} */
    public Optional<String> challenge() {
        return Optional.ofNullable(challenge);
    }

    /**
     * Returns the JSON body of a refusal, for example
     * {@code {"error":"unauthorized","request_id":"4bf92f3577b34da6"}} (the error is
     * {@code bad_request}, {@code unauthorized} or {@code forbidden}). It names the error and the
     * request id, nothing about any user.
     *
     * @return the body; empty when {@link #isAllowed()}
     */
    public String body() {
        if (isAllowed()) {
            return "";
        }
        // The id is from the validated alphabet: nothing in it needs escaping in JSON.
        return "{\"error\":\"" + (status == 400 ? "bad_request" : status == 401 ? "unauthorized" : "forbidden")
                + "\",\"request_id\":\"" + requestId + "\"}";
    }

    @Override
    public String toString() {
        return "Admission[" + requestId + ", " + status + (user != null ? ", " + user.name() : "") + "]";
    }
}
