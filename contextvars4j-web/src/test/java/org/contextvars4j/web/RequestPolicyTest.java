package org.contextvars4j.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.contextvars4j.Context;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.testing.LogCapture;
import org.contextvars4j.web.testing.TestAuth;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("RequestPolicy: request ids, authentication and access rules, server-neutral")
class RequestPolicyTest {

    /** The "request" of these tests is its Authorization header value, "" when absent. */
    private static RequestPolicy.Builder<String, RequestPolicy<String>> builder() {
        return RequestPolicy.<String, RequestPolicy<String>>builder(p -> p).authenticator(RequestPolicyTest::fromHeader);
    }

    private static Authentication fromHeader(String authorization) {
        return TestAuth.fromAuthorization(authorization.isEmpty() ? null : authorization);
    }

    private static Admission admitIn(Context context, RequestPolicy<String> policy, String auth, String path, List<String> ids)
            throws Exception {
        return context.call(() -> policy.admit(auth == null ? "" : auth, path, ids));
    }

    @Test
    void admit_validInboundId_keptAndSetInTheContext() throws Exception {
        Context context = new Context();
        Admission a = admitIn(context, builder().build(), "Bearer alice", "/x", List.of("req-1"));
        assertThat(a.requestId()).isEqualTo("req-1");
        assertThat(a.isAllowed()).isTrue();
        assertThat(context.get(RequestVars.REQUEST_ID)).isEqualTo("req-1");
        assertThat(context.get(RequestVars.USER)).isEqualTo(User.of("alice"));
        assertThat(a.body()).isEmpty();
    }

    @Test
    void admit_missingOrInvalidId_freshIdAndOnlyAnExcerptLogged() throws Exception {
        RequestPolicy<String> policy = builder().build();
        try (LogCapture log = new LogCapture()) {
            assertThat(admitIn(new Context(), policy, null, "/", null).requestId()).matches("[0-9a-f]{32}");
            Admission bad = admitIn(new Context(), policy, null, "/", List.of("bad\r\nX-Evil: markerEvil"));
            Admission twice = admitIn(new Context(), policy, null, "/", List.of("one", "two"));
            assertThat(bad.requestId()).matches("[0-9a-f]{32}");
            assertThat(twice.requestId()).matches("[0-9a-f]{32}");
            assertThat(log.messages()).containsExactly(
                    "FINE replaced an invalid X-Request-Id (23 chars, starting \"bad\\u000d\\u000aX-Evil:\\u0020mar\"...) with "
                            + bad.requestId(),
                    "FINE replaced 2 X-Request-Id headers with " + twice.requestId());
            assertThat(log.text()).doesNotContain("markerEvil", "\r");
        }
    }

    @Test
    void admit_requiredPathWithoutUser_401WithChallengeAndJson() throws Exception {
        RequestPolicy<String> policy = builder().requireUser("/api/*").challenge("Bearer", "shop").build();
        Admission a = admitIn(new Context(), policy, null, "/api/orders", List.of("r1"));
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.isAllowed()).isFalse();
        assertThat(a.challenge()).contains("Bearer realm=\"shop\"");
        assertThat(a.body()).isEqualTo("{\"error\":\"unauthorized\",\"request_id\":\"r1\"}");
        assertThat(admitIn(new Context(), policy, null, "/public", List.of("r2")).isAllowed()).isTrue();
        assertThat(admitIn(new Context(), policy, "Bearer bob", "/api", List.of("r3")).isAllowed()).isTrue();
    }

    @Test
    void admit_refusedCredentials_401OnEveryPath() throws Exception {
        RequestPolicy<String> policy = builder().build();
        Context context = new Context();
        Admission a = admitIn(context, policy, "Basic nope", "/anything", null);
        assertThat(a.status()).isEqualTo(401);
        assertThat(context.get(RequestVars.USER)).isNull();
    }

    @Test
    void admit_missingRole_403_presentRole_allowed() throws Exception {
        RequestPolicy<String> policy = builder().requireRole("/admin/*", "admin").build();
        Admission bob = admitIn(new Context(), policy, "Bearer bob:user", "/admin/users", List.of("r1"));
        assertThat(bob.status()).isEqualTo(403);
        assertThat(bob.challenge()).isEmpty();
        assertThat(bob.body()).isEqualTo("{\"error\":\"forbidden\",\"request_id\":\"r1\"}").doesNotContain("bob");
        assertThat(admitIn(new Context(), policy, null, "/admin", null).status()).isEqualTo(401);
        assertThat(admitIn(new Context(), policy, "Bearer alice:user+admin", "/admin/users", null).isAllowed()).isTrue();
        assertThat(admitIn(new Context(), policy, "Bearer bob", "/administrator", null).isAllowed()).isTrue();
    }

    @Test
    void admit_dotSegmentsAndParameters_cannotSlipPastARule() throws Exception {
        RequestPolicy<String> policy = builder().requireRole("/admin/*", "admin").requireUser("/exact").build();
        for (String path : List.of("/public/../admin/x", "/admin;jsessionid=1/x", "//admin/x", "/./admin", "/admin;x", "/x/../exact")) {
            assertThat(admitIn(new Context(), policy, null, path, null).status()).as(path).isEqualTo(401);
        }
        assertThat(RequestPolicy.normalize("/a/./b/../c//d;p=1/")).isEqualTo("/a/c/d");
    }

    @Test
    void initParameters_allOptions_applied() throws Exception {
        Map<String, String> params = Map.of(
                "requestIdHeader", "X-Correlation-Id",
                "authenticator", HeaderAuthenticator.class.getName(),
                "requireUser", "/api/*, /me",
                "requireRole", "/admin/*=admin, /ops/*=ops",
                "authScheme", "Basic",
                "realm", "corp");
        RequestPolicy<String> policy = RequestPolicy.<String, RequestPolicy<String>>builder(p -> p).initParameters(params::get).build();
        assertThat(policy.requestIdHeader()).isEqualTo("X-Correlation-Id");
        assertThat(admitIn(new Context(), policy, null, "/me", null).challenge()).contains("Basic realm=\"corp\"");
        assertThat(admitIn(new Context(), policy, "Bearer eve:ops", "/ops/x", null).isAllowed()).isTrue();
        assertThat(admitIn(new Context(), policy, "Bearer eve:ops", "/admin/x", null).status()).isEqualTo(403);
        assertThat(policy.toString()).contains("X-Correlation-Id", HeaderAuthenticator.class.getName(), "/admin/* role admin");
    }

    /** An authenticator configured by class name. */
    public static final class HeaderAuthenticator implements Authenticator<String> {
        /** Instantiated by name. */
        public HeaderAuthenticator() {
        }

        @Override
        public Authentication authenticate(String request) {
            return fromHeader(request);
        }
    }

    @Test
    void initParameters_malformed_refusedAndBuilderUnchanged() {
        RequestPolicy.Builder<String, RequestPolicy<String>> b = builder().requestIdHeader("X-Trace").requireUser("/a/*");
        record Bad(Map<String, String> params, String message) {
        }
        for (Bad bad : List.of(
                new Bad(Map.of("requestIdHeader", "X Bad", "requireUser", "/b/*"), "request id header is not a valid header name: \"X Bad\""),
                new Bad(Map.of("requireUser", "/b/*, nope"), "path pattern does not start with '/': \"nope\""),
                new Bad(Map.of("requireRole", "/b/*"), "requireRole entry is not pattern=role: \"/b/*\""),
                new Bad(Map.of("authenticator", "java.lang.String"),
                        "authenticator class java.lang.String does not implement org.contextvars4j.web.Authenticator"),
                new Bad(Map.of("realm", "a\"b"), "realm has a character outside printable ASCII, or a quote or backslash: a\"b"))) {
            assertThatThrownBy(() -> b.initParameters(bad.params()::get))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(bad.message());
        }
        assertThatThrownBy(() -> b.initParameters(Map.of("authenticator", "no.such.Type")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("authenticator class no.such.Type cannot be instantiated: java.lang.ClassNotFoundException");
        RequestPolicy<String> policy = b.build();
        assertThat(policy.requestIdHeader()).isEqualTo("X-Trace");
        assertThat(policy.toString()).contains("rules=[/a/* user]").doesNotContain("/b/*");
    }

    @Test
    void builder_badArguments_refusedWithNamedCulprit() {
        RequestPolicy.Builder<String, RequestPolicy<String>> b = builder();
        assertThatThrownBy(() -> b.requestIdHeader("X-Id\r\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("request id header is not a valid header name: \"X-Id\r\n\"");
        assertThatThrownBy(() -> b.requireUser("/a/*/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path pattern may only end with /*: \"/a/*/b\"");
        assertThatThrownBy(() -> b.requireRole("/a/*", " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("role for /a/* is empty");
        assertThatThrownBy(() -> b.challenge("Bad Scheme", "r")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("auth scheme is not a token: \"Bad Scheme\"");
        assertThatThrownBy(() -> b.requireUser(null)).isInstanceOf(NullPointerException.class).hasMessage("pattern");
        assertThatThrownBy(() -> b.authenticator(null)).isInstanceOf(NullPointerException.class).hasMessage("authenticator");
        RequestPolicy<String> unchanged = b.build();
        assertThat(unchanged.requestIdHeader()).isEqualTo("X-Request-Id");
        assertThat(unchanged.toString()).contains("rules=[]");
    }

    // --- Id rules, id generator and public paths ---------------------------------------------

    @Test
    @DisplayName("requestIdPattern/MaxLength narrow the kept ids; others are replaced as before, with a DEBUG line")
    void admit_idOutsidePatternOrTooLong_replacedAndLogged() throws Exception {
        RequestPolicy<String> policy = builder().requestIdPattern("req-[0-9]+").requestIdMaxLength(8).build();
        try (LogCapture log = new LogCapture()) {
            assertThat(admitIn(new Context(), policy, null, "/", List.of("req-42")).requestId()).isEqualTo("req-42");
            Admission other = admitIn(new Context(), policy, null, "/", List.of("abc"));
            Admission tooLong = admitIn(new Context(), policy, null, "/", List.of("req-12345"));
            assertThat(other.isAllowed()).isTrue();
            assertThat(other.requestId()).matches("[0-9a-f]{32}");
            assertThat(tooLong.requestId()).matches("[0-9a-f]{32}");
            assertThat(log.messages()).containsExactly(
                    "FINE replaced an invalid X-Request-Id (3 chars, starting \"abc\") with " + other.requestId(),
                    "FINE replaced an invalid X-Request-Id (9 chars, starting \"req-12345\") with " + tooLong.requestId());
        }
        assertThat(policy.toString()).contains("idPattern=req-[0-9]+", "idMaxLength=8");
    }

    @Test
    @DisplayName("a pattern cannot widen the alphabet: an id with a space stays invalid even if the pattern matches it")
    void admit_patternMatchesUnsafeId_stillReplaced() throws Exception {
        RequestPolicy<String> policy = builder().requestIdPattern(".*").build();
        try (LogCapture log = new LogCapture()) {
            assertThat(admitIn(new Context(), policy, null, "/", List.of("a b")).requestId()).matches("[0-9a-f]{32}");
            assertThat(log.messages()).hasSize(1);
        }
    }

    @Test
    @DisplayName("rejectInvalidRequestIds: 400 with a JSON body and an INFO line, before the authenticator runs")
    void admit_invalidIdRejected_400AndLoggedAndNotAuthenticated() throws Exception {
        AtomicInteger authenticated = new AtomicInteger();
        RequestPolicy<String> policy = RequestPolicy.<String, RequestPolicy<String>>builder(p -> p)
                .authenticator(r -> {
                    authenticated.incrementAndGet();
                    return fromHeader(r);
                })
                .requestIdPattern("[0-9a-f]{32}").rejectInvalidRequestIds(true).build();
        try (LogCapture log = new LogCapture()) {
            Context context = new Context();
            Admission bad = admitIn(context, policy, "Bearer alice", "/x", List.of("bad\nid"));
            Admission twice = admitIn(new Context(), policy, "Bearer alice", "/x", List.of("a".repeat(32), "b".repeat(32)));
            Admission missing = admitIn(new Context(), policy, "Bearer alice", "/x", null);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.isAllowed()).isFalse();
            assertThat(bad.challenge()).isEmpty();
            assertThat(bad.user()).isEmpty();
            assertThat(bad.body()).isEqualTo("{\"error\":\"bad_request\",\"request_id\":\"" + bad.requestId() + "\"}");
            assertThat(context.get(RequestVars.REQUEST_ID)).isEqualTo(bad.requestId());
            assertThat(context.get(RequestVars.USER)).isNull();
            assertThat(twice.status()).isEqualTo(400);
            assertThat(missing.isAllowed()).as("no header: a generated id, never a refusal").isTrue();
            assertThat(authenticated).hasValue(1);
            assertThat(log.messages()).containsExactly(
                    "INFO refused an invalid X-Request-Id (6 chars, starting \"bad\\u000aid\") with 400; request id " + bad.requestId(),
                    "INFO refused 2 X-Request-Id headers with 400; request id " + twice.requestId());
        }
        assertThat(policy.toString()).contains("invalidIds=rejected");
    }

    @Test
    @DisplayName("requestIdGenerator: used for missing and replaced ids; a null or invalid id is refused naming the generator")
    void admit_customGenerator_usedAndItsBadIdsRefused() throws Exception {
        AtomicInteger n = new AtomicInteger();
        RequestPolicy<String> policy = builder().requestIdGenerator(() -> "gen-" + n.incrementAndGet()).build();
        assertThat(admitIn(new Context(), policy, null, "/", null).requestId()).isEqualTo("gen-1");
        try (LogCapture log = new LogCapture()) {
            assertThat(admitIn(new Context(), policy, null, "/", List.of("a b")).requestId()).isEqualTo("gen-2");
        }
        for (Supplier<String> bad : List.<Supplier<String>>of(() -> null, () -> "bad id")) {
            RequestPolicy<String> refusing = builder().requestIdGenerator(bad).build();
            Context context = new Context();
            assertThatThrownBy(() -> admitIn(context, refusing, null, "/", null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("request id generator " + bad.getClass().getName() + " returned ");
            assertThat(context.isEmpty()).as("a refused call changes nothing").isTrue();
        }
    }

    @Test
    @DisplayName("publicPath: no authenticator call, anonymous, rules skipped; dot segments cannot make a path public")
    void admit_publicPath_skipsAuthenticationButNotForANormalizedPrivatePath() throws Exception {
        AtomicInteger authenticated = new AtomicInteger();
        RequestPolicy<String> policy = RequestPolicy.<String, RequestPolicy<String>>builder(p -> p)
                .authenticator(r -> {
                    authenticated.incrementAndGet();
                    return fromHeader(r);
                })
                .requireUser("/*").publicPath("/health").publicPath("/public/*").build();
        Context context = new Context();
        Admission health = admitIn(context, policy, "Bearer Not Valid", "/health", null);
        assertThat(health.isAllowed()).isTrue();
        assertThat(health.user()).isEmpty();
        assertThat(context.get(RequestVars.USER)).isNull();
        assertThat(admitIn(new Context(), policy, null, "/public/a/b", null).isAllowed()).isTrue();
        assertThat(authenticated).as("no authenticator call on a public path").hasValue(0);
        assertThat(admitIn(new Context(), policy, null, "/public/../admin", null).status()).isEqualTo(401);
        assertThat(admitIn(new Context(), policy, null, "/healthz", null).status()).isEqualTo(401);
        assertThat(admitIn(new Context(), policy, "Bearer alice", "/api", null).isAllowed()).isTrue();
        assertThat(authenticated).hasValue(3);
        assertThat(policy.toString()).contains("public=[/health, /public/*]");
    }

    @Test
    void initParameters_idRulesGeneratorAndPublicPaths_appliedAndMalformedRefused() throws Exception {
        Map<String, String> params = Map.of(
                "requireUser", "/*",
                "publicPaths", "/health, /docs/*",
                "requestIdPattern", "[a-z]+",
                "requestIdMaxLength", "5",
                "rejectInvalidRequestIds", "true",
                "requestIdGenerator", FixedIds.class.getName());
        RequestPolicy<String> policy = builder().initParameters(params::get).build();
        try (LogCapture log = new LogCapture()) {
            assertThat(admitIn(new Context(), policy, null, "/docs/x", List.of("abcde")).isAllowed()).isTrue();
            Admission refused = admitIn(new Context(), policy, null, "/docs/x", List.of("abcdef"));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.requestId()).isEqualTo("fixed");
            assertThat(log.messages()).singleElement().asString().startsWith("INFO refused an invalid X-Request-Id");
        }
        RequestPolicy.Builder<String, RequestPolicy<String>> b = builder().requestIdMaxLength(7);
        record Bad(Map<String, String> params, String message) {
        }
        for (Bad bad : List.of(
                new Bad(Map.of("publicPaths", "health"), "path pattern does not start with '/': \"health\""),
                new Bad(Map.of("requestIdPattern", "(", "publicPaths", "/a"),
                        "request id pattern is not a regular expression: \"(\" (Unclosed group)"),
                new Bad(Map.of("requestIdMaxLength", "lots"), "requestIdMaxLength is not a number: \"lots\""),
                new Bad(Map.of("requestIdMaxLength", "129"), "request id max length is not between 1 and 128: 129"),
                new Bad(Map.of("rejectInvalidRequestIds", "yes"), "rejectInvalidRequestIds is not true or false: \"yes\""),
                new Bad(Map.of("requestIdGenerator", "java.lang.String"),
                        "requestIdGenerator class java.lang.String does not implement java.util.function.Supplier"))) {
            assertThatThrownBy(() -> b.initParameters(bad.params()::get))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(bad.message());
        }
        assertThat(b.build().toString()).contains("idMaxLength=7").doesNotContain("public=", "idPattern", "rejected");
    }

    /** A generator configured by class name. */
    public static final class FixedIds implements Supplier<String> {
        /** Instantiated by name. */
        public FixedIds() {
        }

        @Override
        public String get() {
            return "fixed";
        }
    }

    @Test
    void builder_badIdRulesOrPublicPath_refusedWithNamedCulprit() {
        RequestPolicy.Builder<String, RequestPolicy<String>> b = builder();
        assertThatThrownBy(() -> b.requestIdMaxLength(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("request id max length is not between 1 and 128: 0");
        assertThatThrownBy(() -> b.requestIdPattern("[")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("request id pattern is not a regular expression: \"[\"");
        assertThatThrownBy(() -> b.publicPath("/a/*/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path pattern may only end with /*: \"/a/*/b\"");
        assertThatThrownBy(() -> b.requestIdPattern(null)).isInstanceOf(NullPointerException.class).hasMessage("regex");
        assertThatThrownBy(() -> b.requestIdGenerator(null)).isInstanceOf(NullPointerException.class).hasMessage("generator");
        assertThat(b.build().toString()).doesNotContain("public=", "idPattern", "idMaxLength", "rejected", "idGenerator");
    }

    @Test
    void admit_authenticatorReturnsNull_refused() {
        RequestPolicy<String> policy = RequestPolicy.<String, RequestPolicy<String>>builder(p -> p).authenticator(r -> null).build();
        assertThatThrownBy(() -> admitIn(new Context(), policy, "x", "/", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("returned null");
    }

    @Test
    void user_andAuthentication_valueSemanticsAndToString() {
        assertThat(User.of("a", "r1", "r2")).isEqualTo(User.of("a", List.of("r2", "r1"))).hasToString("User[a, roles=" + Set2.of("r1", "r2") + "]");
        assertThat(Authentication.anonymous()).hasToString("Authentication[anonymous]");
        assertThat(Authentication.refused("expired")).hasToString("Authentication[refused: expired]");
        assertThat(Authentication.refused("expired").refusalReason()).contains("expired");
        assertThatThrownBy(() -> User.of("a", (String) null)).isInstanceOf(NullPointerException.class);
        assertThat(RequestVars.currentUser()).isEmpty();
    }

    @Test
    void user_noOneOrRepeatedRoles_sameUserAsFromACollection() {
        assertThat(User.of("a").roles()).isEmpty();
        assertThat(User.of("a", "r1")).isEqualTo(User.of("a", List.of("r1")));
        assertThat(User.of("a", "r1").roles()).containsExactly("r1");
        assertThat(User.of("a", "r1", "r1").roles()).containsExactly("r1");
        assertThatThrownBy(() -> User.of("a", "r1").roles().add("r2")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> User.of(null, "r1")).isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> User.of("a", "r1", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> User.of("a", (String[]) null)).isInstanceOf(NullPointerException.class).hasMessage("roles");
    }

    @Test
    void mayNeedNormalizing_sameAnswerAsOneScanPerPattern() {
        List<String> paths = List.of("", "/", "a", "a/b", "/a", "/a/", "/a/b", "//a", "/a//b", "/.", "/./a", "/a/.", "/a/..",
                "/a/.b", "/a.b", "/a;b", ";", "/a/b;c=1/d", "/ctx.Hello/Say", "/x/y/z", "/x.y/z", "/.hidden", "/a/b/c/d/e/f");
        for (String path : paths) {
            boolean model = path.contains("//") || path.contains("/.") || path.indexOf(';') >= 0 || path.endsWith("/")
                    || !path.startsWith("/");
            assertThat(RequestPolicy.mayNeedNormalizing(path)).as(path).isEqualTo(model);
        }
    }

    /** Set.of iteration order is unspecified: print it the way User does. */
    private static final class Set2 {
        static java.util.Set<String> of(String... s) {
            return java.util.Set.copyOf(List.of(s));
        }
    }
}
