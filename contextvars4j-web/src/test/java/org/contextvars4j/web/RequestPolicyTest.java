package org.contextvars4j.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
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

    /** Set.of iteration order is unspecified: print it the way User does. */
    private static final class Set2 {
        static java.util.Set<String> of(String... s) {
            return java.util.Set.copyOf(List.of(s));
        }
    }
}
