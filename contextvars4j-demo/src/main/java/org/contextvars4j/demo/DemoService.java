package org.contextvars4j.demo;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance of the demo service: Jetty (servlet work on virtual threads on JDK 21+, a platform
 * pool on 17), the {@link AdmissionFilter}, and the routes.
 *
 * <ul>
 *   <li>{@code GET /api/dashboard}: the caller's data gathered through every propagation point:
 *       the request thread, a fan-out to the executor and to per-task (virtual) threads, an
 *       asynchronous chain, a per-request memoized profile lookup, and a call to the other
 *       instance's {@code /internal/ledger}. Each part says which request, user and rows it saw,
 *       on which thread and service, and when.</li>
 *   <li>{@code GET /api/orders?owner=N}: the caller's orders; another user's are refused (403).</li>
 *   <li>{@code POST /api/notes}: adds a note of at most 16 KiB (413 beyond).</li>
 * </ul>
 */
final class DemoService implements AutoCloseable {

    static final int MAX_BODY = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger("service");

    private final String name;
    private final Server server;
    private final QueuedThreadPool threads;
    private final ServerConnector connector;

    private DemoService(String name, Server server, QueuedThreadPool threads, ServerConnector connector) {
        this.name = name;
        this.server = server;
        this.threads = threads;
        this.connector = connector;
    }

    /**
     * Starts an instance on a free loopback port.
     *
     * @param ledger the other instance's base URI, or null for the instance that is the ledger
     */
    static DemoService start(String name, Db db, Db.Pool pool, RequestState state, String internalKey, URI ledger,
            HttpClient client, Executor async) throws Exception {
        return start(name, db, pool, state, internalKey, ledger, client, async, null);
    }

    /**
     * Starts an instance on a free loopback port that also answers {@code GET /stats} with
     * {@code stats}, without admission (the {@code --serve} report).
     *
     * @param ledger the other instance's base URI, or null for the instance that is the ledger
     * @param stats the text of {@code /stats}, or null for no such route
     */
    static DemoService start(String name, Db db, Db.Pool pool, RequestState state, String internalKey, URI ledger,
            HttpClient client, Executor async, Supplier<String> stats) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName(name + "-jetty");
        if (Threads.virtual()) {
            threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor(name + "-vt-"));
        }
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);     // the load opens hundreds of connections at once
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        if (stats != null) {
            add(context, new StatsFilter(stats));   // GET /stats, before any admission
        }
        AdmissionFilter guard = new AdmissionFilter(AdmissionFilter.Stage.GUARD, name, db, pool, state, internalKey);
        AdmissionFilter admit = new AdmissionFilter(AdmissionFilter.Stage.ADMIT, name, db, pool, state, internalKey);
        Filter requestFilter = state.requestFilter(admit, internalKey);
        if (requestFilter == null) {
            add(context, new AdmissionFilter(AdmissionFilter.Stage.BOTH, name, db, pool, state, internalKey));
        } else {
            add(context, guard);                    // hostile input: 400 / 431 before anything else
            add(context, requestFilter);            // fresh context, request id, request scope, user
            if (state.inbound() != null) {
                add(context, state.inbound());      // what the other instance carried
            }
            add(context, admit);
        }
        context.addServlet(new ServletHolder(new Routes(state, internalKey, ledger, client, async)), "/*");
        server.setHandler(context);
        server.start();
        return new DemoService(name, server, threads, connector);
    }

    String name() {
        return name;
    }

    private static void add(ServletContextHandler context, Filter filter) {
        context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    /** Jetty's pool of platform threads (servlet work runs on virtual threads on JDK 21+). */
    QueuedThreadPool threads() {
        return threads;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop service " + name, e);
        }
    }

    /** The routes. Everything per request comes from {@link RequestState}, never from parameters. */
    private static final class Routes extends HttpServlet {
        @Serial
        private static final long serialVersionUID = 1L;

        private final transient RequestState state;
        private final String internalKey;
        private final URI ledger;
        private final transient HttpClient client;
        private final transient Executor async;

        Routes(RequestState state, String internalKey, URI ledger, HttpClient client, Executor async) {
            this.state = state;
            this.internalKey = internalKey;
            this.ledger = ledger;
            this.client = client;
            this.async = async;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String route = request.getMethod() + " " + request.getRequestURI();
            try {
                switch (route) {
                    case "GET /api/dashboard" -> send(response, 200, dashboard());
                    case "GET /api/orders" -> orders(request, response);
                    case "POST /api/notes" -> addNote(request, response);
                    case "GET /internal/ledger" -> {
                        if (Boolean.TRUE.equals(request.getAttribute(AdmissionFilter.INTERNAL))) {
                            LOG.info("ledger lookup for trace {}", state.traceId());
                            send(response, 200, part("downstream", "orders"));
                        } else {
                            AdmissionFilter.reject(response, 404, "no route " + clip(route), state.requestId());
                        }
                    }
                    default -> AdmissionFilter.reject(response, 404, "no route " + clip(route), state.requestId());
                }
            } catch (Exception e) {
                if (isPoolTimeout(e)) {
                    LOG.warn("database busy, answering 503: {}", e.toString());
                    sendError(response, 503, "database busy");
                } else {
                    LOG.error("request failed", e);
                    sendError(response, 500, "internal error");
                }
            }
        }

        private static String clip(String s) {
            String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
            return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
        }

        private static boolean isPoolTimeout(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLTransientException) {
                    return true;
                }
            }
            return false;
        }

        private void sendError(HttpServletResponse response, int status, String reason) throws IOException {
            if (!response.isCommitted()) {
                response.reset();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", reason);
                body.put("requestId", state.requestId());
                send(response, status, body);
            }
        }

        private static void send(HttpServletResponse response, int status, Map<String, Object> body) throws IOException {
            response.setStatus(status);
            response.setContentType("application/json");
            response.getWriter().write(Json.write(body));
        }

        private Map<String, Object> dashboard() throws Exception {
            List<Map<String, Object>> parts = new ArrayList<>();
            parts.add(part("handler", "orders"));
            // Fan-out to the executor and to per-task (virtual) threads.
            List<FutureTask<Map<String, Object>>> tasks = new ArrayList<>();
            for (String[] p : new String[][] {{"executor", "orders"}, {"executor", "notes"}}) {
                FutureTask<Map<String, Object>> task = new FutureTask<>(() -> part(p[0], p[1]));
                state.fanOut().execute(task);
                tasks.add(task);
            }
            for (String[] p : new String[][] {{"virtual", "notes"}, {"virtual", "orders"}}) {
                FutureTask<Map<String, Object>> task = new FutureTask<>(() -> part(p[0], p[1]));
                state.perTaskThreads().newThread(task).start();
                tasks.add(task);
            }
            // An asynchronous chain, ending in the call to the other instance.
            CompletableFuture<List<Map<String, Object>>> chain = state
                    .supplyAsync(() -> unchecked(() -> part("chain", "orders")), async)
                    .thenApplyAsync(first -> List.of(first, unchecked(() -> part("chain", "notes"))), async)
                    .thenCompose(done -> ledger == null
                            ? CompletableFuture.completedFuture(done)
                            : callLedger().thenApply(d -> {
                                List<Map<String, Object>> all = new ArrayList<>(done);
                                all.add(d);
                                return all;
                            }));
            for (FutureTask<Map<String, Object>> task : tasks) {
                parts.add(task.get(20, TimeUnit.SECONDS));
            }
            try {
                parts.addAll(chain.get(20, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("requestId", state.requestId());
            User user = state.user();
            body.put("user", user == null ? null : user.name());
            body.put("profileLoads", state.memo("profileLoads", AtomicInteger::new).get());
            body.put("parts", parts);
            return body;
        }

        /** The call to the other instance: request id and user as W3C baggage, with a traceparent. */
        private CompletableFuture<Map<String, Object>> callLedger() {
            long t0 = Clock.micros();
            HttpRequest call = state.outbound(HttpRequest.newBuilder(ledger.resolve("/internal/ledger")))
                    .timeout(Duration.ofSeconds(20))
                    .header(AdmissionFilter.INTERNAL_KEY, internalKey)
                    .GET().build();
            LOG.info("calling ledger, baggage {}", call.headers().firstValue("baggage").orElse("(none)"));
            return client.sendAsync(call, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                Map<String, Object> part = r.statusCode() == 200
                        ? Json.object(Json.parse(r.body()))
                        : new LinkedHashMap<>(Map.of("point", "downstream", "error", r.statusCode()));
                part.put("callT0", t0);
                part.put("callT1", Clock.micros());
                return part;
            });
        }

        /** One part of the answer: what this thread sees of the request, and the rows it reads. */
        private Map<String, Object> part(String point, String table) throws SQLException {
            long t0 = Clock.micros();
            String profile = state.memo("profile", () -> unchecked(() -> {
                state.memo("profileLoads", AtomicInteger::new).incrementAndGet();
                return String.valueOf(Db.profile(state.connection()));
            }));
            Connection c = state.connection();
            List<Long> rows = Db.owners(c, table);
            User user = state.user();
            Map<String, Object> part = new LinkedHashMap<>();
            part.put("point", point);
            part.put("table", table);
            part.put("service", state.service());
            part.put("thread", threadName());
            part.put("requestId", state.requestId());
            part.put("user", user == null ? null : user.name());
            part.put("profile", profile);
            part.put("rows", rows);
            part.put("t0", t0);
            part.put("t1", Clock.micros());
            LOG.info("{} read {} {} rows", point, rows.size(), table);
            return part;
        }

        private void orders(HttpServletRequest request, HttpServletResponse response) throws Exception {
            User user = state.user();
            String owner = request.getParameter("owner");
            if (owner != null && !owner.equals(Long.toString(user.id()))) {
                AdmissionFilter.reject(response, 403, "orders of user " + clip(owner) + " are not "
                        + user.name() + "'s", state.requestId());
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("requestId", state.requestId());
            body.put("user", user.name());
            body.put("rows", Db.owners(state.connection(), "orders"));
            send(response, 200, body);
        }

        private void addNote(HttpServletRequest request, HttpServletResponse response) throws Exception {
            byte[] body;
            long total;
            try (InputStream in = request.getInputStream()) {
                body = in.readNBytes(MAX_BODY + 1);
                total = body.length;
                // Drain a too-large body (up to a bound) before answering, so that the client is not
                // reset while it still sends; beyond the bound Jetty closes the connection.
                if (total > MAX_BODY) {
                    total += in.skip(64L * MAX_BODY);
                }
            } catch (IOException clientGone) {
                // A client that disconnects while it uploads is normal traffic: one line, no
                // stack trace, no answer (nobody is there to read it), and counted.
                Traffic.count(Traffic.ABORTED_UPLOAD);
                LOG.info("upload aborted by the client ({} of {} bytes announced): {}", clientGone instanceof java.io.EOFException
                        ? "early end" : "read failed", request.getContentLengthLong(), clip(String.valueOf(clientGone.getMessage())));
                return;
            }
            if (total > MAX_BODY) {
                AdmissionFilter.reject(response, 413, "body of " + (total > 65L * MAX_BODY ? "over " : "") + total
                        + " bytes is over " + MAX_BODY, state.requestId());
                return;
            }
            Db.addNote(state.connection(), new String(body, StandardCharsets.UTF_8));
            LOG.info("note added, {} bytes", body.length);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("requestId", state.requestId());
            answer.put("user", state.user().name());
            answer.put("added", body.length);
            send(response, 201, answer);
        }

        private static String threadName() {
            Thread t = Thread.currentThread();
            return t.getName().isEmpty() ? "virtual#" + t.getId() : t.getName();
        }
    }

    /** Answers {@code GET /stats} with the report text; every other request goes on. */
    private static final class StatsFilter implements Filter {
        private final Supplier<String> stats;

        StatsFilter(Supplier<String> stats) {
            this.stats = stats;
        }

        @Override
        public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res,
                jakarta.servlet.FilterChain chain) throws IOException, jakarta.servlet.ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            if ("GET".equals(request.getMethod()) && "/stats".equals(request.getRequestURI())) {
                HttpServletResponse response = (HttpServletResponse) res;
                response.setStatus(200);
                response.setContentType("text/plain;charset=utf-8");
                response.getWriter().write(stats.get());
                return;
            }
            chain.doFilter(req, res);
        }
    }

    /** A computation that may throw, run where only unchecked exceptions may leave. */
    @FunctionalInterface
    interface Work<T> {
        T get() throws Exception;
    }

    static <T> T unchecked(Work<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
