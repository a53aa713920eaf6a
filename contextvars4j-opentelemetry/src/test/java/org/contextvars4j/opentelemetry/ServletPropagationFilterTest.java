package org.contextvars4j.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The servlet filter in a real Jetty 12.1 (ee10, Servlet 6.0), called with java.net.http. */
@ExtendWith(ContextLeakGuard.class)
class ServletPropagationFilterTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();

    private Tracing tracing;
    private VarBaggagePropagator vars;
    private TextMapPropagator propagator;
    private Server server;
    private URI base;

    /** Answers with what the request sees; /check/* (outside the filter) says whether the thread is clean. */
    private static final class SeenServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String body = request.getRequestURI().startsWith("/check")
                    ? "clean=" + ContextLeakGuard.isThreadClean()
                    : ThreeServicesTest.seen();
            response.setContentType("text/plain");
            response.getWriter().write(body);
        }
    }

    @BeforeEach
    void start() throws Exception {
        tracing = new Tracing();
        vars = ThreeServicesTest.varPropagator();
        propagator = ThreeServicesTest.propagator(vars);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new SeenServlet()), "/*");
        context.addFilter(new FilterHolder(ServletPropagationFilter.of(propagator)), "/api/*",
                EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(get(HttpRequest.newBuilder(base.resolve("/check/" + i)))).isEqualTo("clean=true");
        }
        server.stop();
        tracing.close();
    }

    private static String get(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    @Test
    @DisplayName("vars and the trace parent arrive in the servlet; a var not allowed does not; the thread is clean after")
    void servletFilter_allowedVars_visibleInServlet() throws Exception {
        Tracer tracer = tracing.tracer("client");
        Span span = tracer.spanBuilder("client").startSpan();
        String answer;
        try (Token<String> t = ThreeServicesTest.TENANT.set("acme"); Token<Long> u = ThreeServicesTest.USER_ID.set(9L);
             Token<String> s = ThreeServicesTest.SECRET.set("s3cr3t"); Scope scope = span.makeCurrent()) {
            answer = get(HttpClientPropagation.inject(propagator, HttpRequest.newBuilder(base.resolve("/api/x"))));
        } finally {
            span.end();
        }
        assertThat(answer).isEqualTo("tenant=acme,user=9,secret=none,trace=" + span.getSpanContext().getTraceId());
        for (int i = 0; i < 50; i++) {
            assertThat(get(HttpRequest.newBuilder(base.resolve("/api/" + i))))
                    .startsWith("tenant=none,user=null,secret=none,trace=0000");
        }
        assertThat(vars.dropCount()).isZero();
    }

    @Test
    void servletFilter_twoBaggageHeaders_droppedRequestSucceeds() throws Exception {
        try (LogCapture log = LogCapture.of(VarBaggagePropagator.class, java.util.logging.Level.ALL)) {
            String answer = get(HttpRequest.newBuilder(base.resolve("/api/dup"))
                    .header("baggage", "cv.tenant=one").header("baggage", "cv.tenant=two"));
            assertThat(answer).startsWith("tenant=none,");
            assertThat(vars.dropCount(DropReason.DUPLICATE)).isEqualTo(1);
            assertThat(log.lines()).singleElement().asString().startsWith("WARNING dropped baggage (DUPLICATE)");
        }
    }
}
