package org.contextvars4j.benchmarks;

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
import java.util.concurrent.TimeUnit;
import org.contextvars4j.servlet.RequestScopeFilter;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Requests per second through a real Jetty 12.1 (ee10) with the web request scope filter
 * against the same servlet without it, same server, same client, in one run (issue 11's target:
 * at most 5% overhead).
 *
 * <p>One server started in {@code @Setup} serves one servlet twice: at {@code /scoped/hello}
 * behind {@link RequestScopeFilter} (a valid inbound request id, an authenticator reading the
 * {@code Authorization} header, a rule requiring a user, a {@code RequestScope} opened and
 * closed per request) and at {@code /plain/hello} without it. The servlet reads the request id
 * and the user. The two rows run <em>at the same time</em>, in one JMH group: two threads send
 * {@code withFilter} requests while two others send {@code withoutFilter} requests, all through one
 * shared {@code java.net.http.HttpClient} (HTTP/1.1, keep-alive), each waiting for its response.
 * Measured side by side, both rows see the same JIT state, the same server threads and the same
 * background load, which on a shared machine moves both by far more than the filter costs when
 * they are measured one after the other.
 * <ul>
 *   <li>{@code web:withFilter}: {@code GET /scoped/hello};</li>
 *   <li>{@code web:withoutFilter}: {@code GET /plain/hello}, the same headers.</li>
 * </ul>
 * Run:
 * <pre>
 * mvn -B -ntp -pl contextvars4j-benchmarks -am -DskipTests package
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar WebFilterBenchmark -f 1 -wi 5 -w 2s -i 10 -r 2s
 * </pre>
 * The client, the server and JMH share the machine's cores, so the absolute figures say little;
 * the ratio of the two rows is the measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class WebFilterBenchmark {

    private Server server;
    private HttpClient client;
    private HttpRequest scoped;
    private HttpRequest plain;

    /** The endpoint: reads the request id and the user, as application code would. */
    static final class Hello extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().write("hello " + RequestVars.REQUEST_ID.orElse("none") + " "
                    + RequestVars.currentUser().map(User::name).orElse("-"));
        }
    }

    /** Starts the server and the client. */
    @Setup(Level.Trial)
    public void start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(32, 8);
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        RequestScopeFilter filter = RequestScopeFilter.builder()
                .authenticator((HttpServletRequest r) -> {
                    String auth = r.getHeader("Authorization");
                    return auth != null && auth.startsWith("Bearer ")
                            ? Authentication.of(User.of(auth.substring(7), "user")) : Authentication.anonymous();
                })
                .requireUser("/scoped/*")
                .build();
        context.addFilter(new FilterHolder(filter), "/scoped/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        context.addServlet(new ServletHolder(new Hello()), "/scoped/hello");
        context.addServlet(new ServletHolder(new Hello()), "/plain/hello");
        server.setHandler(context);
        server.start();
        String base = "http://127.0.0.1:" + connector.getLocalPort();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        scoped = request(base + "/scoped/hello");
        plain = request(base + "/plain/hello");
        if (!withFilter().equals("hello req-42 alice") || !withoutFilter().equals("hello none -")) {
            throw new IllegalStateException("the endpoint does not answer as expected");
        }
    }

    private static HttpRequest request(String uri) {
        return HttpRequest.newBuilder(URI.create(uri))
                .header("X-Request-Id", "req-42")
                .header("Authorization", "Bearer alice")
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    /** Stops the server. */
    @TearDown(Level.Trial)
    public void stop() throws Exception {
        server.stop();
    }

    /** {@return the body of one request through the filter} */
    @Benchmark
    @Group("web")
    @GroupThreads(2)
    public String withFilter() throws IOException, InterruptedException {
        return client.send(scoped, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** {@return the body of one request to the same servlet without the filter} */
    @Benchmark
    @Group("web")
    @GroupThreads(2)
    public String withoutFilter() throws IOException, InterruptedException {
        return client.send(plain, HttpResponse.BodyHandlers.ofString()).body();
    }
}
