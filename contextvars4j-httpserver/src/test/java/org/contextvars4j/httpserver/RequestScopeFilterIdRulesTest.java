package org.contextvars4j.httpserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.contextvars4j.web.testing.LogCapture;
import org.contextvars4j.web.testing.RawHttp;
import org.contextvars4j.web.testing.TestAuth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The request-id rules, the id generator and public paths of {@code RequestPolicy}, on a real
 * JDK HTTP server with a real client: every path requires a user except the public ones, ids
 * must be {@code req-<digits>}, and an invalid id is refused with 400.
 */
@ExtendWith(ContextLeakGuard.class)
@DisplayName("RequestScopeFilter with id rules, an id generator and public paths, on com.sun.net.httpserver")
class RequestScopeFilterIdRulesTest {

    private static final int SERVER_THREADS = 4;
    private static final AtomicLong IDS = new AtomicLong();

    private static ExecutorService serverThreads;
    private static HttpServer server;
    private static HttpClient client;

    @BeforeAll
    static void startServer() throws IOException {
        serverThreads = Executors.newFixedThreadPool(SERVER_THREADS);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(serverThreads);
        RequestScopeFilter filter = RequestScopeFilter.builder()
                .authenticator(exchange -> TestAuth.fromAuthorization(exchange.getRequestHeaders().getFirst("Authorization")))
                .requireUser("/*")
                .publicPath("/health")
                .requestIdPattern("req-[0-9]+")
                .requestIdMaxLength(12)
                .rejectInvalidRequestIds(true)
                .requestIdGenerator(() -> "req-" + IDS.incrementAndGet())
                .build();
        server.createContext("/", RequestScopeFilterIdRulesTest::show).getFilters().add(filter);
        server.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** Answers with the request id and the user the handler sees. */
    private static void show(HttpExchange exchange) throws IOException {
        String body = RequestVars.REQUEST_ID.get() + " " + RequestVars.currentUser().map(User::name).orElse("anonymous");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.stop(0);
        serverThreads.shutdown();
        assertThat(serverThreads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void serverThreadsAreClean() throws Exception {
        ContextLeakGuard.assertPoolClean(serverThreads, SERVER_THREADS);
    }

    private static HttpResponse<String> send(String path, String id, String auth) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path));
        if (id != null) {
            request.header("X-Request-Id", id);
        }
        if (auth != null) {
            request.header("Authorization", auth);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("an id the pattern accepts is kept and echoed; a missing one comes from the generator")
    void doFilter_validOrMissingId_keptOrGenerated() throws Exception {
        HttpResponse<String> kept = send("/x", "req-7", "Bearer alice");
        assertThat(kept.statusCode()).isEqualTo(200);
        assertThat(kept.body()).isEqualTo("req-7 alice");
        assertThat(kept.headers().firstValue("X-Request-Id")).contains("req-7");
        HttpResponse<String> fresh = send("/x", null, "Bearer alice");
        assertThat(fresh.body()).matches("req-[0-9]+ alice");
        assertThat(fresh.headers().firstValue("X-Request-Id")).contains(fresh.body().split(" ")[0]);
    }

    @Test
    @DisplayName("an id outside the pattern, too long, or repeated: 400, a JSON body, an INFO line; the handler never runs")
    void doFilter_invalidId_400AndLogged() throws Exception {
        try (LogCapture log = new LogCapture()) {
            HttpResponse<String> wrongShape = send("/x", "abc", "Bearer alice");
            HttpResponse<String> tooLong = send("/health", "req-123456789", null);
            String repeated = RawHttp.get(server.getAddress().getPort(), "/x",
                    "X-Request-Id: req-1".getBytes(StandardCharsets.US_ASCII), "X-Request-Id: req-2".getBytes(StandardCharsets.US_ASCII));
            for (HttpResponse<String> r : java.util.List.of(wrongShape, tooLong)) {
                String id = r.headers().firstValue("X-Request-Id").orElseThrow();
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(id).matches("req-[0-9]+");
                assertThat(r.body()).isEqualTo("{\"error\":\"bad_request\",\"request_id\":\"" + id + "\"}");
                assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
            }
            assertThat(repeated).startsWith("HTTP/1.1 400");
            assertThat(log.messages()).hasSize(3);
            assertThat(log.messages().get(0)).isEqualTo("INFO refused an invalid X-Request-Id (3 chars, starting \"abc\") with 400; "
                    + "request id " + wrongShape.headers().firstValue("X-Request-Id").orElseThrow());
            assertThat(log.messages().get(1)).startsWith("INFO refused an invalid X-Request-Id (13 chars, starting \"req-123456789\")");
            assertThat(log.messages().get(2)).startsWith("INFO refused 2 X-Request-Id headers with 400; request id req-");
        }
    }

    @Test
    @DisplayName("a public path skips authentication (even bad credentials pass); other paths still answer 401")
    void doFilter_publicPath_anonymousWithoutAuthentication() throws Exception {
        HttpResponse<String> health = send("/health", "req-1", "Bearer Not Valid");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("req-1 anonymous");
        assertThat(send("/other", "req-2", null).statusCode()).isEqualTo(401);
        assertThat(send("/health/../other", "req-3", null).statusCode()).as("not public once normalized").isEqualTo(401);
    }
}
