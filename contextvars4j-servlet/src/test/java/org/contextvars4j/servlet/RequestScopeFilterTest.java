package org.contextvars4j.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.DispatcherType;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.testing.Deep;
import org.contextvars4j.web.testing.HostileIds;
import org.contextvars4j.web.testing.LoadRun;
import org.contextvars4j.web.testing.LogCapture;
import org.contextvars4j.web.testing.RawHttp;
import org.contextvars4j.web.testing.TestAuth;
import org.contextvars4j.web.testing.Tracked;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("RequestScopeFilter on a real Jetty 12.1 (ee10): one fresh context per request, ids, auth, async")
class RequestScopeFilterTest {

    private static ExecutorService appPool;
    private static JettyServer jetty;
    private static HttpClient client;

    // tag::setup[]
    static void install(ServletContextHandler context, ExecutorService appPool) {
        RequestScopeFilter filter = RequestScopeFilter.builder()
                .authenticator((HttpServletRequest request) -> TestAuth.fromAuthorization(request.getHeader("Authorization")))
                .requireUser("/api/*")
                .requireRole("/admin/*", "admin")
                .build();
        FilterHolder holder = new FilterHolder(filter);
        holder.setAsyncSupported(true);
        EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        for (String path : List.of("/api/*", "/admin/*", "/public/*")) {
            context.addFilter(holder, path, dispatches);
        }
        context.addServlet(new ServletHolder(new FixtureServlets.Echo(appPool)), "/api/echo");
        context.addServlet(new ServletHolder(new FixtureServlets.Echo(appPool)), "/public/echo");
        context.addServlet(new ServletHolder(new FixtureServlets.Secret()), "/admin/secret");
        ServletHolder async = new ServletHolder(new FixtureServlets.Async());
        async.setAsyncSupported(true);
        context.addServlet(async, "/api/async");
        context.addServlet(new ServletHolder(new FixtureServlets.Probe()), "/probe");   // not filtered
    }
    // end::setup[]

    @BeforeAll
    static void startServer() throws Exception {
        appPool = Executors.newFixedThreadPool(8);
        jetty = JettyServer.start(context -> install(context, appPool));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        jetty.close();
        ContextLeakGuard.assertPoolClean(appPool, 8);
        appPool.shutdown();
        assertThat(appPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** After each test, 200 probes (50 in flight) through the unfiltered servlet: every container thread they reach is clean. */
    @AfterEach
    void containerThreadsAreClean() throws Exception {
        LoadRun probes = LoadRun.run(client, 200, 50, i -> get("/probe").build(),
                (i, r) -> r.statusCode() == 200 && r.body().equals("clean") && r.headers().firstValue("X-Request-Id").isEmpty()
                        ? null : r.statusCode() + " " + r.body());
        assertThat(probes.mismatches()).isEmpty();
    }

    private static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(jetty.uri(path)).timeout(Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("2,000 requests at concurrency 200, distinct id and user: each reads its own, deep, after a hop and in a stage (S6, P2, P4)")
    void doFilter_2000ConcurrentRequests_zeroMismatches() throws Exception {
        LoadRun run = LoadRun.run(client, 2000, 200,
                i -> get("/api/echo").header("X-Request-Id", "req-" + i).header("Authorization", "Bearer user-" + i).build(),
                (i, r) -> {
                    String body = Deep.expected("req-" + i, "user-" + i);
                    return r.statusCode() == 200 && r.body().equals(body)
                            && r.headers().firstValue("X-Request-Id").orElse("").equals("req-" + i)
                            ? null : r.statusCode() + " " + r.headers().firstValue("X-Request-Id") + " " + r.body();
                });
        assertThat(run.done()).isEqualTo(2000);
        assertThat(run.mismatches()).isEmpty();
        for (int i = 0; i < 2000; i++) {
            assertThat(Tracked.awaitClosed("req-" + i)).as("closes of req-" + i + "'s resource").isEqualTo(1);
        }
    }

    @Test
    void doFilter_noInboundId_freshIdEchoedAndReadable() throws Exception {
        HttpResponse<String> r = client.send(get("/public/echo").build(), HttpResponse.BodyHandlers.ofString());
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(r.body()).isEqualTo(Deep.expected(id, "-"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.contextvars4j.web.testing.HostileIds#defaultHeaderCases")
    @DisplayName("hostile ids are replaced by a fresh one, never echoed or logged, and the request succeeds")
    void doFilter_hostileId_replacedNotEchoedNotLogged(HostileIds.Case hostile) throws Exception {
        try (LogCapture log = new LogCapture()) {
            String response = RawHttp.get(jetty.port(), "/public/echo", hostile.lines().toArray(new byte[0][]));
            if (hostile.rawCr()) {
                // Jetty's HTTP/1.1 parser refuses a raw CR or a folded line in any header with 400
                // before a filter runs: no header value the application sees can hold CR/LF.
                assertThat(response).startsWith("HTTP/1.1 400 ").doesNotContain(hostile.marker());
                assertThat(log.messages()).isEmpty();
                return;
            }
            assertThat(response).startsWith("HTTP/1.1 200 ");
            HostileIds.assertReplaced(hostile, response, log);
        }
    }

    @Test
    @DisplayName("no credentials on a protected path: 401, WWW-Authenticate, JSON naming only the request id")
    void doFilter_noCredentials_401() throws Exception {
        HttpResponse<String> r = client.send(get("/api/echo").header("X-Request-Id", "r-401").build(), HttpResponse.BodyHandlers.ofString());
        TestAuth.assertUnauthorized(r, "r-401");
    }

    @Test
    void doFilter_badCredentialsOnAPublicPath_401() throws Exception {
        HttpResponse<String> r = client.send(get("/public/echo").header("Authorization", "Bearer Not Valid").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).startsWith("{\"error\":\"unauthorized\"");
    }

    @Test
    @DisplayName("admins and non-admins interleaved: 403 for the role, and no body shows another user's data")
    void doFilter_wrongRole_403AndNoLeak() throws Exception {
        LoadRun run = LoadRun.run(client, 400, 100,
                i -> get("/admin/secret").header("Authorization", TestAuth.adminOrUser(i)).build(), TestAuth::adminOrForbidden);
        assertThat(run.mismatches()).isEmpty();
    }

    @Test
    @DisplayName("async: the context and the scope's resource survive startAsync + AsyncContext.start + dispatch; "
            + "listeners see them at completion; the resource closes once, after the listeners")
    void doFilter_asyncStartAndDispatch_contextKept() throws Exception {
        FixtureServlets.Async.COMPLETED.clear();
        LoadRun run = LoadRun.run(client, 400, 100,
                i -> get("/api/async").header("X-Request-Id", "async-" + i).header("Authorization", "Bearer u-" + i).build(),
                (i, r) -> {
                    String expected = "async-" + i + "/u-" + i;
                    return r.statusCode() == 200 && r.body().equals(expected + "|" + expected) ? null : r.statusCode() + " " + r.body();
                });
        assertThat(run.mismatches()).isEmpty();
        for (int i = 0; i < 400; i++) {
            // onComplete may run just after the response reached the client
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!FixtureServlets.Async.COMPLETED.containsKey("async-" + i) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(FixtureServlets.Async.COMPLETED.get("async-" + i)).isEqualTo("async-" + i + "/u-" + i);
            assertThat(Tracked.awaitClosed("async-" + i)).as("closes of async-" + i + "'s resource").isEqualTo(1);
        }
    }
}
