package org.contextvars4j.httpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextVar;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.RequestIds;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.contextvars4j.web.testing.Deep;
import org.contextvars4j.web.testing.HostileIds;
import org.contextvars4j.web.testing.LoadRun;
import org.contextvars4j.web.testing.LogCapture;
import org.contextvars4j.web.testing.RawHttp;
import org.contextvars4j.web.testing.TestAuth;
import org.contextvars4j.web.testing.Tracked;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("RequestScopeFilter on the JDK's com.sun.net.httpserver: one fresh context per exchange, ids, auth")
class RequestScopeFilterTest {

    private static final int SERVER_THREADS = 32;
    private static final ContextVar<String> LEFT_BEHIND = ContextVar.of("left_behind");

    private static ExecutorService serverThreads;
    private static ExecutorService appPool;
    private static HttpServer server;
    private static HttpClient client;

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    // tag::setup[]
    static HttpServer start(ExecutorService serverThreads, ExecutorService appPool) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(serverThreads);
        RequestScopeFilter filter = RequestScopeFilter.builder()
                .authenticator(exchange -> TestAuth.fromAuthorization(exchange.getRequestHeaders().getFirst("Authorization")))
                .requireUser("/api/*")
                .requireRole("/admin/*", "admin")
                .build();
        ExecutorService wrapped = ContextExecutors.wrap(appPool);
        HttpHandler echo = exchange -> {
            try {
                respond(exchange, Deep.everywhere(wrapped, appPool));
            } catch (Exception e) {
                throw new IOException(e);
            }
        };
        HttpHandler secret = exchange -> respond(exchange, "secret of " + RequestVars.currentUser().map(User::name).orElseThrow());
        HttpHandler show = exchange -> respond(exchange, Context.copyCurrent().size() + " " + LEFT_BEHIND.orElse("absent"));
        for (Map.Entry<String, HttpHandler> route
                : Map.of("/api/echo", echo, "/public/echo", echo, "/public/show", show, "/admin/secret", secret).entrySet()) {
            HttpContext context = server.createContext(route.getKey(), route.getValue());
            context.getFilters().add(filter);
        }
        server.createContext("/probe", RequestScopeFilterTest::probe);          // not filtered
        server.createContext("/pollute", RequestScopeFilterTest::pollute);      // not filtered
        server.start();
        return server;
    }
    // end::setup[]

    /** Outside the filter: what the server thread's context holds. */
    private static void probe(HttpExchange exchange) throws IOException {
        Context current = Context.copyCurrent();
        respond(exchange, current.isEmpty() ? "clean" : "dirty " + current.keySet());
    }

    /** Outside the filter, and badly behaved: leaves a value in the server thread's context. */
    private static void pollute(HttpExchange exchange) throws IOException {
        LEFT_BEHIND.set("stale");
        respond(exchange, Thread.currentThread().getName());
    }

    @BeforeAll
    static void startServer() throws IOException {
        serverThreads = Executors.newFixedThreadPool(SERVER_THREADS);
        appPool = Executors.newFixedThreadPool(8);
        server = start(serverThreads, appPool);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.stop(0);
        ContextLeakGuard.assertPoolClean(appPool, 8);
        for (ExecutorService pool : List.of(serverThreads, appPool)) {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** After each test, every one of the server's threads is clean (checked on each thread, not by sampling). */
    @AfterEach
    void serverThreadsAreClean() throws Exception {
        ContextLeakGuard.assertPoolClean(serverThreads, SERVER_THREADS);
        HttpResponse<String> probe = client.send(get("/probe").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(probe.body()).isEqualTo("clean");
        assertThat(probe.headers().firstValue("X-Request-Id")).isEmpty();
    }

    private static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
                .timeout(Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("2,000 requests at concurrency 200, distinct id and user: each reads its own, deep, after a hop and in a stage (S6, P2, P4)")
    void doFilter_2000ConcurrentRequests_zeroMismatches() throws Exception {
        LoadRun run = LoadRun.run(client, 2000, 200,
                i -> get("/api/echo").header("X-Request-Id", "jdk-" + i).header("Authorization", "Bearer user-" + i).build(),
                (i, r) -> r.statusCode() == 200 && r.body().equals(Deep.expected("jdk-" + i, "user-" + i))
                        && r.headers().firstValue("X-Request-Id").orElse("").equals("jdk-" + i)
                        ? null : r.statusCode() + " " + r.headers().firstValue("X-Request-Id") + " " + r.body());
        assertThat(run.done()).isEqualTo(2000);
        assertThat(run.mismatches()).isEmpty();
        for (int i = 0; i < 2000; i++) {
            assertThat(Tracked.awaitClosed("jdk-" + i)).as("closes of jdk-" + i + "'s resource").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.contextvars4j.web.testing.HostileIds#defaultHeaderCases")
    @DisplayName("hostile ids are replaced by a fresh one, never echoed or logged, and the request succeeds")
    void doFilter_hostileId_replacedNotEchoedNotLogged(HostileIds.Case hostile) throws Exception {
        try (LogCapture log = new LogCapture()) {
            String response = RawHttp.get(server.getAddress().getPort(), "/public/echo", hostile.lines().toArray(new byte[0][]));
            assertThat(response).startsWith("HTTP/1.1 200 ");
            String id = RawHttp.header(response, "X-Request-Id");
            if (hostile.rawCr()) {
                // The JDK's parser unfolds a folded line (the filter then sees the space and
                // replaces the id) and ends a line at a bare CR (the filter sees only the valid
                // text before it; the rest becomes another request header, never echoed).
                assertThat(RequestIds.isValid(id)).isTrue();
                assertThat(response).endsWith(Deep.expected(id, "-")).doesNotContain(hostile.marker());
                assertThat(log.text()).doesNotContain(hostile.marker());
                return;
            }
            HostileIds.assertReplaced(hostile, response, log);
        }
    }

    @Test
    @DisplayName("no credentials on a protected path: 401, WWW-Authenticate, JSON naming only the request id; bad credentials: 401")
    void doFilter_noOrBadCredentials_401() throws Exception {
        HttpResponse<String> r = client.send(get("/api/echo").header("X-Request-Id", "r-401").build(), HttpResponse.BodyHandlers.ofString());
        TestAuth.assertUnauthorized(r, "r-401");
        HttpResponse<String> bad = client.send(get("/public/echo").header("Authorization", "Bearer Not Valid").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(401);
    }

    @Test
    @DisplayName("admins and non-admins interleaved: 403 for the role, and no body shows another user's data")
    void doFilter_wrongRole_403AndNoLeak() throws Exception {
        LoadRun run = LoadRun.run(client, 400, 100,
                i -> get("/admin/secret").header("Authorization", TestAuth.adminOrUser(i)).build(), TestAuth::adminOrForbidden);
        assertThat(run.mismatches()).isEmpty();
    }

    @Test
    @DisplayName("S1/S6: an exchange never sees what the server thread held, and the thread gets it back afterwards")
    void doFilter_pollutedServerThreads_exchangeSeesAFreshContext() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);       // polluted below, then dropped
        HttpServer own = start(threads, appPool);
        try {
            String base = "http://127.0.0.1:" + own.getAddress().getPort();
            LoadRun pollute = LoadRun.run(client, 100, 20, i -> HttpRequest.newBuilder(URI.create(base + "/pollute")).build(),
                    (i, r) -> r.statusCode() == 200 ? null : "status " + r.statusCode());
            assertThat(pollute.mismatches()).isEmpty();
            // request_id, user and the request scope: nothing of the thread's own context
            LoadRun echo = LoadRun.run(client, 300, 60, i -> HttpRequest.newBuilder(URI.create(base + "/public/show")).build(),
                    (i, r) -> r.body().equals("3 absent") ? null : r.body());
            assertThat(echo.mismatches()).isEmpty();
            // Each thread still holds its own stale value: the filter put the thread's context back.
            Set<String> seen = ConcurrentHashMap.newKeySet();
            java.util.concurrent.CyclicBarrier all = new java.util.concurrent.CyclicBarrier(8);
            List<java.util.concurrent.Future<Object>> checks = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                checks.add(threads.submit(() -> {
                    all.await(10, TimeUnit.SECONDS);
                    seen.add(LEFT_BEHIND.orElse("absent"));
                    return null;
                }));
            }
            for (var check : checks) {
                check.get(20, TimeUnit.SECONDS);
            }
            assertThat(seen).contains("stale");
        } finally {
            own.stop(0);
            threads.shutdown();
        }
    }

    @Test
    void fromParameters_allOptions_applied_and_malformed_refused() throws Exception {
        RequestScopeFilter filter = RequestScopeFilter.fromParameters(Map.of("requestIdHeader", "X-Correlation-Id", "requireUser", "/x"));
        assertThat(filter.description()).contains("X-Correlation-Id", "/x user");
        assertThatThrownBy(() -> RequestScopeFilter.fromParameters(Map.of("requireUser", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path pattern does not start with '/': \"x\"");
        assertThatThrownBy(() -> RequestScopeFilter.fromParameters(null))
                .isInstanceOf(NullPointerException.class).hasMessage("parameters");
    }
}
