package org.contextvars4j.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three services, A -> B -> C, each its own JDK {@link HttpServer} on loopback, in this one JVM
 * (separate servers, separate thread pools, nothing shared but the headers on the wire).
 */
@ExtendWith(ContextLeakGuard.class)
class ThreeServicesTest {

    static final ContextVar<String> TENANT = ContextVar.of("tenant");
    static final ContextVar<Long> USER_ID = ContextVar.of("user_id");
    static final ContextVar<String> SECRET = ContextVar.of("secret");

    // setup: propagators
    static VarBaggagePropagator varPropagator() {
        return VarBaggagePropagator.builder()
                .allow(TENANT)
                .allow(USER_ID, VarCodec.of(String::valueOf, Long::valueOf))
                .build();
    }

    static TextMapPropagator propagator(VarBaggagePropagator vars) {
        return TextMapPropagator.composite(
                W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance(), vars);
    }
    // end setup: propagators

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    private static final int SERVER_THREADS = 8;

    private Tracing tracing;
    private final List<Service> services = new ArrayList<>();
    private VarBaggagePropagator varsAtB;
    private VarBaggagePropagator varsAtC;
    private Service b;
    private Service c;

    /** One service: a server, its pool, and what it answers inside its server span. */
    private final class Service {
        final HttpServer server;
        final ExecutorService pool = Executors.newFixedThreadPool(SERVER_THREADS);

        Service(String name, TextMapPropagator propagator, Callable<String> body) throws Exception {
            Tracer tracer = tracing.tracer(name);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(pool);
            server.createContext("/", exchange -> {
                byte[] answer;
                int status = 200;
                Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER).startSpan();
                try (Scope s = span.makeCurrent()) {
                    answer = body.call().getBytes(StandardCharsets.UTF_8);
                } catch (Exception e) {
                    answer = e.toString().getBytes(StandardCharsets.UTF_8);
                    status = 500;
                } finally {
                    span.end();
                }
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(status, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }).getFilters().add(HttpServerPropagationFilter.of(propagator));
            server.start();
            services.add(this);
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        }
    }

    static String seen() {
        return "tenant=" + TENANT.orElse("none") + ",user=" + USER_ID.orElse(null) + ",secret=" + SECRET.orElse("none")
                + ",trace=" + Span.current().getSpanContext().getTraceId();
    }

    /** Sends a GET to {@code uri} from the current context, inside a client span. */
    static String call(Tracer tracer, String spanName, TextMapPropagator propagator, URI uri) throws Exception {
        Span span = tracer.spanBuilder(spanName).setSpanKind(SpanKind.CLIENT).startSpan();
        try (Scope s = span.makeCurrent()) {
            // setup: outbound
            HttpRequest request = HttpClientPropagation.inject(propagator, HttpRequest.newBuilder(uri))
                    .timeout(Duration.ofSeconds(30))
                    .build();
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            // end setup: outbound
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        } finally {
            span.end();
        }
    }

    @BeforeEach
    void startServices() throws Exception {
        tracing = new Tracing();
        varsAtB = varPropagator();
        varsAtC = varPropagator();
        c = new Service("C", propagator(varsAtC), () -> "C[" + seen() + "]");
        TextMapPropagator atB = propagator(varsAtB);
        b = new Service("B", atB, () -> "B[" + seen() + "] " + call(tracing.tracer("B"), "B->C", atB, c.uri()));
    }

    @AfterEach
    void stopServices() throws Exception {
        for (Service service : services) {
            service.server.stop(0);
            ContextLeakGuard.assertPoolClean(service.pool, SERVER_THREADS);
            service.pool.shutdown();
            assertThat(service.pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
        tracing.close();
    }

    /**
     * Service A: the calling thread sets the vars, opens span A and calls B; returns A's trace id,
     * a space, and B's answer.
     */
    private String callFromA(String tenant, long user) throws Exception {
        Tracer tracer = tracing.tracer("A");
        try (Token<String> t = TENANT.set(tenant); Token<Long> u = USER_ID.set(user); Token<String> s = SECRET.set("s3cr3t")) {
            Span a = tracer.spanBuilder("A").startSpan();
            try (Scope scope = a.makeCurrent()) {
                return a.getSpanContext().getTraceId() + " " + call(tracer, "A->B", propagator(varPropagator()), b.uri());
            } finally {
                a.end();
            }
        }
    }

    @Test
    @DisplayName("a var set in A arrives in C, a var not allowed does not, and the spans form one tree")
    void chain_varsSetInA_allowedArriveInCSameTrace() throws Exception {
        String answer = callFromA("acme", 42L);

        SpanData a = tracing.span("A");
        SpanData aClient = tracing.span("A->B");
        String trace = a.getTraceId();
        assertThat(answer).isEqualTo(trace + " B[tenant=acme,user=42,secret=none,trace=" + trace + "] "
                + "C[tenant=acme,user=42,secret=none,trace=" + trace + "]");
        SpanData bServer = tracing.span("B");
        SpanData bClient = tracing.span("B->C");
        SpanData cServer = tracing.span("C");
        BridgeStorageTest.assertChildOf(aClient, a);
        BridgeStorageTest.assertChildOf(bServer, aClient);
        BridgeStorageTest.assertChildOf(bClient, bServer);
        BridgeStorageTest.assertChildOf(cServer, bClient);
        assertThat(tracing.finishedSpans()).hasSize(5);
        assertThat(varsAtB.dropCount() + varsAtC.dropCount()).isZero();
    }

    @Test
    @DisplayName("1,000 requests at concurrency 50 through A -> B -> C: C sees exactly what A set")
    void chain_thousandRequestsConcurrency50_noMismatch() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(50);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                results.add(clients.submit(() -> {
                    String answer = callFromA("tenant-" + n, n);
                    String trace = answer.substring(0, answer.indexOf(' '));
                    String seen = "tenant=tenant-" + n + ",user=" + n + ",secret=none,trace=" + trace;
                    return answer.equals(trace + " B[" + seen + "] C[" + seen + "]") ? "ok" : answer;
                }));
            }
            int mismatches = 0;
            for (Future<String> result : results) {
                if (!result.get(60, TimeUnit.SECONDS).equals("ok")) {
                    mismatches++;
                }
            }
            assertThat(mismatches).isZero();
            ContextLeakGuard.assertPoolClean(clients, 50);
        } finally {
            clients.shutdown();
            assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
        for (SpanData cServer : tracing.finishedSpans()) {
            if (cServer.getName().equals("C")) {
                SpanData bClient = tracing.finishedSpans().stream()
                        .filter(s -> s.getSpanId().equals(cServer.getParentSpanId())).findFirst().orElseThrow();
                assertThat(bClient.getTraceId()).isEqualTo(cServer.getTraceId());
            }
        }
        assertThat(varsAtB.dropCount() + varsAtC.dropCount()).isZero();
    }

    static Stream<Arguments> hostileHeaders() {
        String many = IntStream.range(0, 999).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));
        return Stream.of(
                Arguments.of("an 8 KB+ header", List.of("cv.tenant=big,pad=" + "x".repeat(8200)),
                        DropReason.OVERSIZED_HEADER, "tenant=none,user=null"),
                Arguments.of("1,000 entries", List.of(many + ",cv.tenant=many"),
                        DropReason.TOO_MANY_ENTRIES, "tenant=none,user=null"),
                Arguments.of("bad percent-encoding", List.of("cv.tenant=bad%zz,cv.user_id=7"),
                        DropReason.MALFORMED, "tenant=none,user=7"),
                Arguments.of("control characters", List.of("cv.tenant=a\u0001b,cv.user_id=7"),
                        DropReason.MALFORMED, "tenant=none,user=7"),
                Arguments.of("a name not allowed", List.of("cv.secret=stolen,cv.tenant=ok"),
                        DropReason.NOT_ALLOWED, "tenant=ok,user=null"),
                Arguments.of("a value the codec rejects", List.of("cv.tenant=ok,cv.user_id=abc"),
                        DropReason.REJECTED_BY_CODEC, "tenant=ok,user=null"),
                Arguments.of("two baggage headers", List.of("cv.tenant=one", "cv.tenant=two"),
                        DropReason.DUPLICATE, "tenant=none,user=null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileHeaders")
    @DisplayName("hostile baggage at B: dropped, counted and logged; the request succeeds; no var not allowed is set")
    void hostileBaggageAtB_dropped_requestSucceeds(String what, List<String> baggage, DropReason reason, String vars)
            throws Exception {
        try (LogCapture log = LogCapture.of(VarBaggagePropagator.class, Level.ALL);
             LogCapture otelParser = LogCapture.of("io.opentelemetry.api.baggage.propagation.Parser", Level.ALL)) {
            String response = rawGet(b.uri(), baggage);

            assertThat(response).startsWith("HTTP/1.1 200");
            assertThat(response).contains("B[" + vars + ",secret=none,trace=").contains("C[" + vars + ",secret=none,trace=");
            assertThat(varsAtB.dropCount(reason)).isEqualTo(1);
            assertThat(varsAtB.dropCount()).isEqualTo(1);
            assertThat(varsAtC.dropCount()).isZero();
            assertThat(log.lines()).singleElement().asString()
                    .startsWith("WARNING dropped baggage (" + reason + "): ")
                    .hasSizeLessThan(200);
            // OpenTelemetry's own baggage parser, in the same composite, warns about some of them.
            assertThat(otelParser.lines()).allSatisfy(line ->
                    assertThat(line).isEqualTo("WARNING Skipping invalid baggage member"));
        }
    }

    /** Sends a GET with the given {@code baggage} header lines over a raw socket; returns the whole response. */
    static String rawGet(URI uri, List<String> baggage) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + uri.getPort()
                    + "\r\nConnection: close\r\n");
            for (String header : baggage) {
                request.append("baggage: ").append(header).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
    }
}
