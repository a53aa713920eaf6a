package org.contextvars4j.demo;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request filter: admits a request (its id, its user, its trace) or refuses it with a clear
 * 4xx and a log line, then runs it through {@link RequestState#serve}.
 *
 * <ul>
 *   <li>Request id: {@code X-Request-Id} if it is 1 to 64 characters of {@code [A-Za-z0-9._-]},
 *       generated when absent, refused (400) otherwise. Always echoed.</li>
 *   <li>User: the bearer token's user (401 when missing, malformed or unknown); see
 *       {@link #bearerToken} for what a well-formed header is. A call from the other
 *       instance (it carries the run's internal key) is trusted for what its W3C baggage
 *       carried instead ({@link RequestState#carried}).</li>
 *   <li>Baggage from outside, every {@code baggage} header (the library reads them all, and
 *       drops them all when there are several): at most 16 members and 2048 characters in all
 *       (431), and never the {@code cv.*} members the service sets itself (400).</li>
 * </ul>
 */
final class AdmissionFilter implements Filter {

    static final String REQUEST_ID = "X-Request-Id";
    static final String INTERNAL_KEY = "X-Internal-Key";
    static final String INTERNAL = "demo.internal";
    private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** RFC 6750 section 2.1: {@code b64token}. */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]");
    /** The baggage members that carry the request to the other instance (contextvars4j-opentelemetry's prefix). */
    static final String CARRIED_PREFIX = "cv.";
    private static final int MAX_BAGGAGE_CHARS = 2048;
    private static final int MAX_BAGGAGE_MEMBERS = 16;
    private static final Logger LOG = LoggerFactory.getLogger("admission");

    /** Which part of the admission this instance does. */
    enum Stage {
        /** Hostile input only, then the chain (the library's request filter comes next). */
        GUARD,
        /** The user and the request's state, after the library's request filter. */
        ADMIT,
        /** Both, for the naive run that has no library filter. */
        BOTH
    }

    private final Stage stage;
    private final String service;
    private final Db db;
    private final Db.Pool pool;
    private final RequestState state;
    private final String internalKey;

    AdmissionFilter(Stage stage, String service, Db db, Db.Pool pool, RequestState state, String internalKey) {
        this.stage = stage;
        this.service = service;
        this.db = db;
        this.pool = pool;
        this.state = state;
        this.internalKey = internalKey;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        boolean internal = internalKey.equals(request.getHeader(INTERNAL_KEY));
        String offered = request.getHeader(REQUEST_ID);
        String requestId = offered != null && VALID_ID.matcher(offered).matches() ? offered : null;
        if (stage != Stage.ADMIT) {
            if (!guard(request, response, internal, offered, requestId)) {
                return;
            }
            if (stage == Stage.GUARD) {
                chain.doFilter(req, res);
                return;
            }
        }
        String admitted = state.admittedRequestId();     // the library filter's, when there is one
        requestId = admitted != null ? admitted : requestId != null ? requestId : newId();
        response.setHeader(REQUEST_ID, requestId);
        User user;
        String traceId = null;
        if (internal) {
            String[] carried = state.carried(request);      // request id, user id, trace id
            user = userById(carried[1]);
            if (carried[0] != null && VALID_ID.matcher(carried[0]).matches()) {
                requestId = carried[0];
                response.setHeader(REQUEST_ID, requestId);
            }
            traceId = carried[2];
            if (user == null) {
                reject(response, 401, "internal call without a user in its baggage", requestId);
                return;
            }
        } else {
            String admittedUser = state.admittedUserName();
            user = admittedUser != null ? byName(admittedUser) : authenticate(request, response, requestId);
            if (user == null) {
                if (admittedUser != null) {
                    reject(response, 401, "unknown user " + admittedUser, requestId);
                }
                return;
            }
            String traceparent = request.getHeader("traceparent");
            java.util.regex.Matcher m = traceparent == null ? null : TRACEPARENT.matcher(traceparent);
            traceId = m != null && m.matches() ? m.group(1) : null;
        }
        if (traceId == null) {
            traceId = newTraceId();
        }
        request.setAttribute(INTERNAL, internal);
        try {
            state.serve(new Admission(requestId, user, traceId, service, pool), () -> chain.doFilter(req, res));
        } catch (IOException | ServletException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }

    /** The bearer token's user, or null after answering 401 (with its log line). */
    User authenticate(HttpServletRequest request, HttpServletResponse response, String requestId) throws IOException {
        String auth = request.getHeader("Authorization");
        String token = bearerToken(auth);
        if (token == null) {
            reject(response, 401, auth == null ? "missing bearer token" : "malformed bearer token", requestId);
            return null;
        }
        User user = byToken(token);
        if (user == null) {
            reject(response, 401, "invalid token", requestId);
        }
        return user;
    }

    /**
     * The token of an {@code Authorization} header, or null when the header is missing or not a
     * well-formed bearer credential: the scheme {@code Bearer} in any case (RFC 9110 section
     * 11.1), one or more spaces, then one {@code b64token} (RFC 6750 section 2.1) and nothing else.
     * Whitespace around the whole value is not part of it (RFC 9110 section 5.5: Jetty, like any
     * proxy on the way, may strip it), so {@code "Bearer tok  "} is the same header as
     * {@code "Bearer tok"} and is accepted; whitespace or anything else inside the credential
     * ({@code "Bearer tok x"}, {@code "Bearer\ttok"}) is refused.
     */
    static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        int start = 7;
        while (start < value.length() && value.charAt(start) == ' ') {
            start++;
        }
        String token = value.substring(start);
        return B64TOKEN.matcher(token).matches() ? token : null;
    }

    /** Refuses hostile input (400, 431) before anything else runs; returns whether the request may go on. */
    private boolean guard(HttpServletRequest request, HttpServletResponse response, boolean internal, String offered,
            String validId) throws IOException {
        if (offered != null && validId == null) {
            String fresh = newId();
            response.setHeader(REQUEST_ID, fresh);
            reject(response, 400, "invalid request id", fresh);
            return false;
        }
        String requestId = validId != null ? validId : newId();
        if (internal) {
            return true;
        }
        // Every baggage header, as the library reads them (it drops them all when there are
        // several): a cv.* member in a second header is as forged as in the first.
        List<String> members = new ArrayList<>();
        int chars = 0;
        for (Enumeration<String> headers = request.getHeaders("baggage"); headers != null && headers.hasMoreElements(); ) {
            String header = headers.nextElement();
            chars += header.length();
            members.addAll(Arrays.asList(header.split(",", -1)));
        }
        if (chars > MAX_BAGGAGE_CHARS || members.size() > MAX_BAGGAGE_MEMBERS) {
            response.setHeader(REQUEST_ID, requestId);
            reject(response, 431, "baggage too large", requestId);
            return false;
        }
        for (String member : members) {
            if (member.strip().startsWith(CARRIED_PREFIX)) {
                response.setHeader(REQUEST_ID, requestId);
                reject(response, 400, "forged baggage: " + CARRIED_PREFIX + "* members are set by the service only", requestId);
                return false;
            }
        }
        return true;
    }

    private User userById(String id) {
        if (id == null || !id.matches("\\d{1,9}")) {
            return null;
        }
        long wanted = Long.parseLong(id);
        for (User u : db.users()) {
            if (u.id() == wanted) {
                return u;
            }
        }
        return null;
    }

    User byName(String name) {
        for (User u : db.users()) {
            if (u.name().equals(name)) {
                return u;
            }
        }
        return null;
    }

    /** Looks the token up comparing in constant time, so that timing tells nothing about tokens. */
    User byToken(String token) {
        byte[] offered = token.getBytes(StandardCharsets.UTF_8);
        User found = null;
        for (User u : db.users()) {
            if (MessageDigest.isEqual(offered, u.token().getBytes(StandardCharsets.UTF_8))) {
                found = u;
            }
        }
        return found;
    }

    /** Answers {@code status} with a JSON error and logs one line naming the request. */
    static void reject(HttpServletResponse response, int status, String reason, String requestId) throws IOException {
        logRejection(status, requestId, reason);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", reason);
        body.put("status", status);
        body.put("requestId", requestId);
        response.setStatus(status);
        response.setContentType("application/json");
        response.getWriter().write(Json.write(body));
    }

    /** The log line of a refusal; the load run finds it by status and request id. */
    static void logRejection(int status, String requestId, String reason) {
        Traffic.rejected(status, reason);
        LOG.warn("rejected {} {}: {}", status, requestId, reason);
    }

    static String newId() {
        return "gen-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    static String newTraceId() {
        byte[] b = new byte[16];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
