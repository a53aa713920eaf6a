package org.contextvars4j.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.context.propagation.TextMapPropagator;
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
import java.util.concurrent.atomic.AtomicReference;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDK server's inbound filter when the handler throws. The server runs every exchange on one
 * thread, so the unfiltered probe after each failed request runs on the very thread that ran it.
 */
@ExtendWith(ContextLeakGuard.class)
class HttpServerPropagationFilterTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();

    @Test
    @DisplayName("P2: the extracted var arrives in a handler that throws, and the server thread is clean after every such request")
    void filter_handlerThrows_valueArrivedAndThreadClean() throws Exception {
        TextMapPropagator propagator = ThreeServicesTest.propagator(ThreeServicesTest.varPropagator());
        ExecutorService one = Executors.newSingleThreadExecutor();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(one);
        AtomicReference<String> seen = new AtomicReference<>();
        server.createContext("/fail", exchange -> {
            seen.set(ThreeServicesTest.TENANT.orElse("none"));
            throw new IllegalStateException("handler failed");
        }).getFilters().add(HttpServerPropagationFilter.of(propagator));
        server.createContext("/probe", exchange -> reply(exchange, "clean=" + ContextLeakGuard.isThreadClean()));
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        try {
            for (int i = 0; i < 20; i++) {
                HttpRequest.Builder failing;
                try (Token<String> t = ThreeServicesTest.TENANT.set("t-" + i)) {
                    failing = HttpClientPropagation.inject(propagator, HttpRequest.newBuilder(base.resolve("/fail")));
                }
                Throwable failed = catchThrowable(() -> CLIENT.send(failing.timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString()));
                assertThat(failed).as("the server closes the exchange of a handler that threw").isInstanceOf(IOException.class);
                assertThat(seen.get()).isEqualTo("t-" + i);
                HttpResponse<String> probe = CLIENT.send(HttpRequest.newBuilder(base.resolve("/probe"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(probe.body()).as("the server thread after failed request %d", i).isEqualTo("clean=true");
            }
        } finally {
            server.stop(0);
            one.shutdown();
            assertThat(one.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
