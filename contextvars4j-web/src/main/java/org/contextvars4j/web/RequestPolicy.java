package org.contextvars4j.web;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a filter treats each request: which header carries the request id, how the request is
 * authenticated, and which paths require a user or a role. Built once, immutable, shared by all
 * requests; the filters of {@code contextvars4j-servlet} and {@code contextvars4j-httpserver}
 * hand their {@code builder()} out as a {@link Builder} whose {@code build()} returns the filter.
 *
 * <h2>Options</h2>
 * <table class="striped">
 *   <caption>Builder methods and the equivalent init parameters</caption>
 *   <thead><tr><th>Builder</th><th>Init parameter</th><th>Default</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@link Builder#requestIdHeader}</td><td>{@code requestIdHeader}</td><td>{@code X-Request-Id}</td></tr>
 *   <tr><td>{@link Builder#authenticator}</td><td>{@code authenticator} (a class name)</td><td>everyone anonymous</td></tr>
 *   <tr><td>{@link Builder#requireUser}</td><td>{@code requireUser}: patterns, comma-separated</td><td>none</td></tr>
 *   <tr><td>{@link Builder#requireRole}</td><td>{@code requireRole}: {@code pattern=role}, comma-separated</td><td>none</td></tr>
 *   <tr><td>{@link Builder#challenge}</td><td>{@code authScheme}, {@code realm}</td><td>{@code Bearer}, {@code contextvars4j}</td></tr>
 *   </tbody>
 * </table>
 *
 * <h2>Path patterns</h2>
 * {@code /*} matches every path; {@code /admin/*} matches {@code /admin} and everything below
 * it; any other pattern matches that exact path. A request must satisfy the rules for its path
 * as the server saw it and for the same path with dot segments, empty segments and
 * {@code ;parameters} removed, so that {@code /public/../admin} and {@code /admin;x} cannot slip
 * past a rule for {@code /admin/*}.
 *
 * @param <R> the server's request type
 */
public final class RequestPolicy<R> {

    /** The default request id header. */
    public static final String DEFAULT_REQUEST_ID_HEADER = "X-Request-Id";

    private static final System.Logger LOG = System.getLogger("org.contextvars4j.web");

    private final String requestIdHeader;
    private final Authenticator<R> authenticator;
    private final List<Rule> rules;
    private final String challenge;

    private RequestPolicy(Builder<R, ?> b) {
        this.requestIdHeader = b.requestIdHeader;
        this.authenticator = b.authenticator;
        this.rules = List.copyOf(b.rules);
        this.challenge = b.scheme + " realm=\"" + b.realm + "\"";
    }

    /**
     * Returns a builder whose {@link Builder#build()} hands the finished policy to
     * {@code finisher} and returns what it returns (the filters pass their factory).
     *
     * @param finisher turns the policy into the product, for example a filter
     * @param <R> the server's request type
     * @param <F> what {@code build()} returns
     * @return a builder with the defaults
     */
    public static <R, F> Builder<R, F> builder(Function<? super RequestPolicy<R>, ? extends F> finisher) {
        return new Builder<>(Objects.requireNonNull(finisher, "finisher"));
    }

    /** {@return the header that carries the request id, inbound and outbound} */
    public String requestIdHeader() {
        return requestIdHeader;
    }

    /**
     * Admits one request: picks its id, authenticates it, applies the rules, and sets
     * {@link RequestVars#REQUEST_ID} and {@link RequestVars#USER} in the <em>current</em>
     * context. Call it inside the request's fresh context; the authenticator runs there, after
     * the id is set.
     *
     * @param request the request, for the authenticator
     * @param path the request's path within the application
     * @param inboundIds the values of the request-id header, in order; null or empty when absent
     * @return the decision
     */
    public Admission admit(R request, String path, List<String> inboundIds) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(path, "path");
        String id = pickId(inboundIds);
        RequestVars.REQUEST_ID.set(id);
        Authentication auth = authenticator == null ? Authentication.anonymous() : authenticator.authenticate(request);
        if (auth == null) {
            throw new IllegalStateException("authenticator " + authenticator.getClass().getName() + " returned null");
        }
        User user = auth.user().orElse(null);
        RequestVars.USER.set(user);
        int status = auth.isRefused() ? 401 : status(path, user);
        if (status == 200 && !rules.isEmpty() && mayNeedNormalizing(path)) {
            String normalized = normalize(path);
            if (!normalized.equals(path)) {
                status = status(normalized, user);
            }
        }
        return new Admission(id, user, status, status == 401 ? challenge : null);
    }

    private String pickId(List<String> inbound) {
        if (inbound == null || inbound.isEmpty()) {
            return RequestIds.generate();
        }
        if (inbound.size() == 1 && RequestIds.isValid(inbound.get(0))) {
            return inbound.get(0);
        }
        String fresh = RequestIds.generate();
        if (LOG.isLoggable(Level.DEBUG)) {
            String what = inbound.size() > 1
                    ? inbound.size() + " " + requestIdHeader + " headers"
                    : "an invalid " + requestIdHeader + " (" + RequestIds.excerpt(inbound.get(0)) + ")";
            LOG.log(Level.DEBUG, "replaced " + what + " with " + fresh);
        }
        return fresh;
    }

    private int status(String path, User user) {
        for (Rule rule : rules) {
            if (rule.matches(path)) {
                if (user == null) {
                    return 401;
                }
                if (rule.role != null && !user.hasRole(rule.role)) {
                    return 403;
                }
            }
        }
        return 200;
    }

    /** {@return whether {@link #normalize} could change {@code path}: the common clean path skips it} */
    private static boolean mayNeedNormalizing(String path) {
        return path.contains("//") || path.contains("/.") || path.indexOf(';') >= 0 || path.endsWith("/") || !path.startsWith("/");
    }

    /** Removes empty and dot segments and {@code ;parameters}: the path a lenient server might route by. */
    static String normalize(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            int semicolon = segment.indexOf(';');
            String s = semicolon >= 0 ? segment.substring(0, semicolon) : segment;
            if (s.equals("..")) {
                segments.pollLast();
            } else if (!s.isEmpty() && !s.equals(".")) {
                segments.addLast(s);
            }
        }
        return "/" + String.join("/", segments);
    }

    @Override
    public String toString() {
        return "RequestPolicy[header=" + requestIdHeader + ", authenticator="
                + (authenticator == null ? "none" : authenticator.getClass().getName()) + ", rules=" + rules + "]";
    }

    /** A path pattern and, optionally, the role it requires. */
    private static final class Rule {
        private final String pattern;
        private final String prefix;     // for "/x/*": "/x"; for "/*": ""; else null (exact match)
        private final String role;

        Rule(String pattern, String role) {
            this.pattern = pattern;
            this.prefix = pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : null;
            this.role = role;
        }

        boolean matches(String path) {
            if (prefix == null) {
                return path.equals(pattern);
            }
            if (!path.startsWith(prefix)) {
                return false;
            }
            if (path.length() == prefix.length()) {
                return true;
            }
            char next = path.charAt(prefix.length());
            return prefix.isEmpty() || next == '/' || next == ';';
        }

        @Override
        public String toString() {
            return role == null ? pattern + " user" : pattern + " role " + role;
        }
    }

    /**
     * Builds a {@link RequestPolicy} and hands it to the product's factory. Not thread-safe; a
     * refused call leaves the builder unchanged.
     *
     * @param <R> the server's request type
     * @param <F> what {@link #build()} returns
     */
    public static final class Builder<R, F> {
        private final Function<? super RequestPolicy<R>, ? extends F> finisher;
        private String requestIdHeader = DEFAULT_REQUEST_ID_HEADER;
        private Authenticator<R> authenticator;
        private final List<Rule> rules = new ArrayList<>();
        private String scheme = "Bearer";
        private String realm = "contextvars4j";

        private Builder(Function<? super RequestPolicy<R>, ? extends F> finisher) {
            this.finisher = finisher;
        }

        /**
         * Sets the header that carries the request id, inbound and outbound.
         *
         * @param name a header name (an HTTP token), for example {@code X-Correlation-Id}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is not a valid header name
         */
        public Builder<R, F> requestIdHeader(String name) {
            Objects.requireNonNull(name, "name");
            requireArgument(isToken(name), "request id header is not a valid header name: \"%s\"", name);
            this.requestIdHeader = name;
            return this;
        }

        /**
         * Sets the authentication hook; without one every request is anonymous.
         *
         * @param authenticator the hook
         * @return this builder
         */
        public Builder<R, F> authenticator(Authenticator<R> authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Requires an authenticated user for the paths {@code pattern} matches: others get
         * {@code 401}.
         *
         * @param pattern {@code /*}, {@code /prefix/*} or an exact path
         * @return this builder
         * @throws IllegalArgumentException if {@code pattern} does not start with {@code /}
         */
        public Builder<R, F> requireUser(String pattern) {
            rules.add(new Rule(checkPattern(pattern), null));
            return this;
        }

        /**
         * Requires a user with {@code role} for the paths {@code pattern} matches: a request
         * without a user gets {@code 401}, a user without the role {@code 403}.
         *
         * @param pattern {@code /*}, {@code /prefix/*} or an exact path
         * @param role the role
         * @return this builder
         * @throws IllegalArgumentException if {@code pattern} does not start with {@code /}, or
         *         {@code role} is empty
         */
        public Builder<R, F> requireRole(String pattern, String role) {
            String checked = checkPattern(pattern);
            Objects.requireNonNull(role, "role");
            requireArgument(!role.isBlank(), "role for %s is empty", pattern);
            rules.add(new Rule(checked, role));
            return this;
        }

        /**
         * Sets the {@code WWW-Authenticate} challenge of a {@code 401}:
         * {@code <scheme> realm="<realm>"}.
         *
         * @param scheme the authentication scheme, for example {@code Bearer} or {@code Basic}
         * @param realm the realm: printable ASCII without {@code "} or {@code \}
         * @return this builder
         * @throws IllegalArgumentException if {@code scheme} is not a token or {@code realm}
         *         has a character it may not have
         */
        public Builder<R, F> challenge(String scheme, String realm) {
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(realm, "realm");
            requireArgument(isToken(scheme), "auth scheme is not a token: \"%s\"", scheme);
            requireArgument(realm.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\'),
                    "realm has a character outside printable ASCII, or a quote or backslash: %s", realm);
            this.scheme = scheme;
            this.realm = realm;
            return this;
        }

        /**
         * Applies the init parameters that are present (see the table in {@link RequestPolicy});
         * others are left as they are. The {@code authenticator} class is loaded with the
         * thread's context class loader and needs a public no-argument constructor; in a named
         * module, its package must be exported to {@code org.contextvars4j.web}.
         *
         * @param parameters looks a parameter up by name, null when absent (for example
         *        {@code FilterConfig::getInitParameter})
         * @return this builder
         * @throws IllegalArgumentException if a parameter is malformed or the authenticator class
         *         cannot be loaded, is no {@link Authenticator}, or cannot be instantiated; the
         *         builder is then unchanged
         */
        public Builder<R, F> initParameters(Function<String, String> parameters) {
            Objects.requireNonNull(parameters, "parameters");
            // Parse into a scratch builder first, so that a malformed parameter changes nothing here.
            Builder<R, F> scratch = new Builder<>(finisher);
            scratch.requestIdHeader = requestIdHeader;
            scratch.authenticator = authenticator;
            scratch.rules.addAll(rules);
            scratch.scheme = scheme;
            scratch.realm = realm;
            String header = parameters.apply("requestIdHeader");
            if (header != null) {
                scratch.requestIdHeader(header.trim());
            }
            String authenticatorClass = parameters.apply("authenticator");
            if (authenticatorClass != null) {
                scratch.authenticator(instantiate(authenticatorClass.trim()));
            }
            for (String pattern : list(parameters.apply("requireUser"))) {
                scratch.requireUser(pattern);
            }
            for (String entry : list(parameters.apply("requireRole"))) {
                int eq = entry.indexOf('=');
                requireArgument(eq > 0, "requireRole entry is not pattern=role: \"%s\"", entry);
                scratch.requireRole(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
            }
            String authScheme = parameters.apply("authScheme");
            String realmParameter = parameters.apply("realm");
            if (authScheme != null || realmParameter != null) {
                scratch.challenge(authScheme != null ? authScheme.trim() : scheme,
                        realmParameter != null ? realmParameter.trim() : realm);
            }
            requestIdHeader = scratch.requestIdHeader;
            authenticator = scratch.authenticator;
            rules.clear();
            rules.addAll(scratch.rules);
            scheme = scratch.scheme;
            realm = scratch.realm;
            return this;
        }

        /** {@return the finished product: the policy handed to the finisher} */
        public F build() {
            return finisher.apply(new RequestPolicy<>(this));
        }

        @SuppressWarnings("unchecked") // the request type cannot be checked at run time; a wrong one fails at the first request
        private Authenticator<R> instantiate(String className) {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            try {
                Class<?> type = Class.forName(className, true, loader != null ? loader : RequestPolicy.class.getClassLoader());
                requireArgument(Authenticator.class.isAssignableFrom(type),
                        "authenticator class %s does not implement %s", className, Authenticator.class.getName());
                return (Authenticator<R>) type.getConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalArgumentException("authenticator class " + className + " cannot be instantiated: " + e, e);
            }
        }

        private static List<String> list(String value) {
            List<String> out = new ArrayList<>();
            if (value != null) {
                for (String part : value.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
            return out;
        }

        private static String checkPattern(String pattern) {
            Objects.requireNonNull(pattern, "pattern");
            requireArgument(pattern.startsWith("/"), "path pattern does not start with '/': \"%s\"", pattern);
            requireArgument(pattern.indexOf('*') < 0 || pattern.indexOf('*') == pattern.length() - 1 && pattern.endsWith("/*"),
                    "path pattern may only end with /*: \"%s\"", pattern);
            return pattern;
        }

        private static boolean isToken(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        private static void requireArgument(boolean condition, String format, Object... args) {
            if (!condition) {
                throw new IllegalArgumentException(String.format(format, args));
            }
        }
    }
}
