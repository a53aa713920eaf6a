package org.contextvars4j.web;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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
 *   <tr><td>{@link Builder#publicPath}</td><td>{@code publicPaths}: patterns, comma-separated</td><td>none</td></tr>
 *   <tr><td>{@link Builder#requestIdPattern}</td><td>{@code requestIdPattern}: a regular expression</td><td>any id {@link RequestIds#isValid} keeps</td></tr>
 *   <tr><td>{@link Builder#requestIdMaxLength}</td><td>{@code requestIdMaxLength}</td><td>{@value RequestIds#MAX_LENGTH}</td></tr>
 *   <tr><td>{@link Builder#rejectInvalidRequestIds}</td><td>{@code rejectInvalidRequestIds}: {@code true} or {@code false}</td><td>{@code false}: replaced</td></tr>
 *   <tr><td>{@link Builder#requestIdGenerator}</td><td>{@code requestIdGenerator} (a class name)</td><td>{@link RequestIds#generate()}</td></tr>
 *   </tbody>
 * </table>
 *
 * <h2>Request ids</h2>
 * An inbound id is kept when the request has exactly one request-id header and its value is
 * valid: {@link RequestIds#isValid} (1 to 128 characters from {@code [A-Za-z0-9._:-]}), at most
 * {@link Builder#requestIdMaxLength} characters, and matched in full by
 * {@link Builder#requestIdPattern}, when one is set. The pattern and the length can only narrow
 * the default rules, never widen them, so an id stays safe to echo in a header, a log line and a
 * JSON body. Otherwise, by default, the id is replaced by a generated one and a {@code DEBUG} line
 * (with an escaped excerpt) is logged; with {@link Builder#rejectInvalidRequestIds} the request is
 * refused with {@code 400} and an {@code INFO} line instead, before the authenticator runs. A
 * request without the header always gets a generated id. Ids come from
 * {@link Builder#requestIdGenerator}, {@link RequestIds#generate()} by default; a generated id
 * must itself be valid.
 *
 * <h2>Public paths</h2>
 * On a path a {@link Builder#publicPath} pattern matches, the authenticator is not called, the
 * request is anonymous and the access rules do not apply: credentials on it are neither checked
 * nor refused. A request is public only if its path as the server saw it and its normalized path
 * (below) both match, so {@code /public/../admin} is not public.
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
    private final List<Rule> publicPaths;
    private final Pattern idPattern;
    private final int idMaxLength;
    private final boolean rejectInvalidIds;
    private final Supplier<String> idGenerator;

    private RequestPolicy(Builder<R, ?> b) {
        this.requestIdHeader = b.requestIdHeader;
        this.authenticator = b.authenticator;
        this.rules = List.copyOf(b.rules);
        this.challenge = b.scheme + " realm=\"" + b.realm + "\"";
        this.publicPaths = List.copyOf(b.publicPaths);
        this.idPattern = b.idPattern;
        this.idMaxLength = b.idMaxLength;
        this.rejectInvalidIds = b.rejectInvalidIds;
        this.idGenerator = b.idGenerator;
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
     * @throws IllegalStateException if the authenticator returns null, or the id generator returns
     *         null or an invalid id
     */
    public Admission admit(R request, String path, List<String> inboundIds) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(path, "path");
        String id = pickId(inboundIds);
        if (id == null) {
            String fresh = generateId();
            RequestVars.REQUEST_ID.set(fresh);
            LOG.log(Level.INFO, "refused " + describeInvalid(inboundIds) + " with 400; request id " + fresh);
            return new Admission(fresh, null, 400, null);
        }
        RequestVars.REQUEST_ID.set(id);
        if (!publicPaths.isEmpty() && isPublic(path)) {
            RequestVars.USER.set(null);
            return new Admission(id, null, 200, null);
        }
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

    /** {@return the request's id: the inbound one if valid, else a fresh one; null when the request is refused for it} */
    private String pickId(List<String> inbound) {
        if (inbound == null || inbound.isEmpty()) {
            return generateId();
        }
        if (inbound.size() == 1 && isValidId(inbound.get(0))) {
            return inbound.get(0);
        }
        if (rejectInvalidIds) {
            return null;
        }
        String fresh = generateId();
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "replaced " + describeInvalid(inbound) + " with " + fresh);
        }
        return fresh;
    }

    private String describeInvalid(List<String> inbound) {
        return inbound.size() > 1
                ? inbound.size() + " " + requestIdHeader + " headers"
                : "an invalid " + requestIdHeader + " (" + RequestIds.excerpt(inbound.get(0)) + ")";
    }

    private boolean isValidId(String id) {
        return RequestIds.isValid(id) && id.length() <= idMaxLength && (idPattern == null || idPattern.matcher(id).matches());
    }

    private String generateId() {
        if (idGenerator == null) {
            return RequestIds.generate();
        }
        String id = idGenerator.get();
        if (id == null || !isValidId(id)) {
            throw new IllegalStateException("request id generator " + idGenerator.getClass().getName() + " returned "
                    + (id == null ? "null" : "an invalid id (" + RequestIds.excerpt(id) + ")"));
        }
        return id;
    }

    /** {@return whether a public pattern matches {@code path}, and its normalized form when that differs} */
    private boolean isPublic(String path) {
        if (!matchesAny(publicPaths, path)) {
            return false;
        }
        return !mayNeedNormalizing(path) || matchesAny(publicPaths, normalize(path));
    }

    private static boolean matchesAny(List<Rule> patterns, String path) {
        for (Rule rule : patterns) {
            if (rule.matches(path)) {
                return true;
            }
        }
        return false;
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
    static boolean mayNeedNormalizing(String path) {
        int n = path.length();
        if (n == 0 || path.charAt(0) != '/' || path.charAt(n - 1) == '/') {
            return true;
        }
        // One pass for "//", "/." and ';' (a clean path is read once, not once per pattern).
        for (int i = 1; i < n; i++) {
            char c = path.charAt(i);
            if (c == ';' || (path.charAt(i - 1) == '/' && (c == '/' || c == '.'))) {
                return true;
            }
        }
        return false;
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
                + (authenticator == null ? "none" : authenticator.getClass().getName()) + ", rules=" + rules
                + (publicPaths.isEmpty() ? "" : ", public=" + publicPaths.stream().map(r -> r.pattern).toList())
                + (idPattern == null ? "" : ", idPattern=" + idPattern)
                + (idMaxLength == RequestIds.MAX_LENGTH ? "" : ", idMaxLength=" + idMaxLength)
                + (rejectInvalidIds ? ", invalidIds=rejected" : "")
                + (idGenerator == null ? "" : ", idGenerator=" + idGenerator.getClass().getName()) + "]";
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
        private final List<Rule> publicPaths = new ArrayList<>();
        private Pattern idPattern;
        private int idMaxLength = RequestIds.MAX_LENGTH;
        private boolean rejectInvalidIds;
        private Supplier<String> idGenerator;

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
         * Makes the paths {@code pattern} matches public: the authenticator is not called there,
         * the request is anonymous, and {@link #requireUser} and {@link #requireRole} do not apply.
         * See "Public paths" in {@link RequestPolicy}.
         *
         * @param pattern {@code /*}, {@code /prefix/*} or an exact path
         * @return this builder
         * @throws IllegalArgumentException if {@code pattern} does not start with {@code /}
         */
        public Builder<R, F> publicPath(String pattern) {
            publicPaths.add(new Rule(checkPattern(pattern), null));
            return this;
        }

        /**
         * Narrows the inbound ids that are kept to those {@code regex} matches in full (they must
         * still be valid for {@link RequestIds#isValid}).
         *
         * @param regex a regular expression, for example {@code [0-9a-f]{32}}
         * @return this builder
         * @throws IllegalArgumentException if {@code regex} is not a valid regular expression
         */
        public Builder<R, F> requestIdPattern(String regex) {
            Objects.requireNonNull(regex, "regex");
            try {
                this.idPattern = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("request id pattern is not a regular expression: \"" + regex + "\" ("
                        + e.getDescription() + ")", e);
            }
            return this;
        }

        /**
         * Narrows the inbound ids that are kept to those of at most {@code maxLength} characters.
         *
         * @param maxLength from 1 to {@value RequestIds#MAX_LENGTH}
         * @return this builder
         * @throws IllegalArgumentException if {@code maxLength} is out of range
         */
        public Builder<R, F> requestIdMaxLength(int maxLength) {
            requireArgument(maxLength >= 1 && maxLength <= RequestIds.MAX_LENGTH,
                    "request id max length is not between 1 and %s: %s", RequestIds.MAX_LENGTH, maxLength);
            this.idMaxLength = maxLength;
            return this;
        }

        /**
         * Sets what happens to a request whose request-id header is invalid or repeated: with
         * {@code true} it is answered {@code 400} (and logged at {@code INFO}) before the
         * authenticator runs; with {@code false}, the default, the id is replaced by a generated
         * one (and logged at {@code DEBUG}).
         *
         * @param reject whether such a request is refused
         * @return this builder
         */
        public Builder<R, F> rejectInvalidRequestIds(boolean reject) {
            this.rejectInvalidIds = reject;
            return this;
        }

        /**
         * Sets where fresh ids come from. The generator is called once per request that has no
         * valid inbound id, on the request's thread; it must be thread-safe, and each id it
         * returns must be valid (see "Request ids" in {@link RequestPolicy}), else
         * {@link RequestPolicy#admit} throws {@link IllegalStateException}.
         *
         * @param generator returns a fresh id, for example {@code () -> UUID.randomUUID().toString()}
         * @return this builder
         */
        public Builder<R, F> requestIdGenerator(Supplier<String> generator) {
            this.idGenerator = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /**
         * Applies the init parameters that are present (see the table in {@link RequestPolicy});
         * others are left as they are. The {@code authenticator} and {@code requestIdGenerator}
         * (a {@code Supplier<String>}) classes are loaded with the thread's context class loader
         * and need a public no-argument constructor; in a named module, their package must be
         * exported to {@code org.contextvars4j.web}.
         *
         * @param parameters looks a parameter up by name, null when absent (for example
         *        {@code FilterConfig::getInitParameter})
         * @return this builder
         * @throws IllegalArgumentException if a parameter is malformed or the authenticator
         *         (generator) class cannot be loaded, is no {@link Authenticator} ({@link Supplier}),
         *         or cannot be instantiated; the
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
            scratch.publicPaths.addAll(publicPaths);
            scratch.idPattern = idPattern;
            scratch.idMaxLength = idMaxLength;
            scratch.rejectInvalidIds = rejectInvalidIds;
            scratch.idGenerator = idGenerator;
            String header = parameters.apply("requestIdHeader");
            if (header != null) {
                scratch.requestIdHeader(header.trim());
            }
            String authenticatorClass = parameters.apply("authenticator");
            if (authenticatorClass != null) {
                scratch.authenticator(instantiate(authenticatorClass.trim(), Authenticator.class, "authenticator"));
            }
            for (String pattern : list(parameters.apply("publicPaths"))) {
                scratch.publicPath(pattern);
            }
            String idRegex = parameters.apply("requestIdPattern");
            if (idRegex != null) {
                scratch.requestIdPattern(idRegex.trim());
            }
            String maxLength = parameters.apply("requestIdMaxLength");
            if (maxLength != null) {
                try {
                    scratch.requestIdMaxLength(Integer.parseInt(maxLength.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("requestIdMaxLength is not a number: \"" + maxLength + "\"", e);
                }
            }
            String reject = parameters.apply("rejectInvalidRequestIds");
            if (reject != null) {
                String r = reject.trim();
                requireArgument(r.equals("true") || r.equals("false"), "rejectInvalidRequestIds is not true or false: \"%s\"", reject);
                scratch.rejectInvalidRequestIds(Boolean.parseBoolean(r));
            }
            String generatorClass = parameters.apply("requestIdGenerator");
            if (generatorClass != null) {
                scratch.requestIdGenerator(instantiate(generatorClass.trim(), Supplier.class, "requestIdGenerator"));
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
            publicPaths.clear();
            publicPaths.addAll(scratch.publicPaths);
            idPattern = scratch.idPattern;
            idMaxLength = scratch.idMaxLength;
            rejectInvalidIds = scratch.rejectInvalidIds;
            idGenerator = scratch.idGenerator;
            return this;
        }

        /** {@return the finished product: the policy handed to the finisher} */
        public F build() {
            return finisher.apply(new RequestPolicy<>(this));
        }

        @SuppressWarnings("unchecked") // type arguments cannot be checked at run time; a wrong one fails at the first request
        private static <T> T instantiate(String className, Class<?> expected, String what) {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            try {
                Class<?> type = Class.forName(className, true, loader != null ? loader : RequestPolicy.class.getClassLoader());
                requireArgument(expected.isAssignableFrom(type),
                        "%s class %s does not implement %s", what, className, expected.getName());
                return (T) type.getConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalArgumentException(what + " class " + className + " cannot be instantiated: " + e, e);
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
