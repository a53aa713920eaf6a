package org.contextvars4j.demo;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The "before": request state kept the way services kept it without this library, in plain
 * {@code ThreadLocal}s, with stock MDC and one database connection per thread (the pattern of
 * the article behind this project).
 *
 * <p>The filter sets the thread-locals on the request thread and clears them when the request
 * ends. Nothing carries them to other threads, except the hand-written copy that teams usually put
 * around their executor: it sets the submitter's values on the worker and never restores them.
 * The per-thread connection is logged in as the thread's user when the thread first opens it, and
 * is given back only by the request thread.
 */
final class NaiveState implements RequestState {

    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();
    private static final ThreadLocal<User> USER = new ThreadLocal<>();
    private static final ThreadLocal<String> TRACE_ID = new ThreadLocal<>();
    private static final ThreadLocal<String> SERVICE = new ThreadLocal<>();
    private static final ThreadLocal<Connection> CONNECTION = new ThreadLocal<>();
    private static final ThreadLocal<Map<String, Object>> MEMO = ThreadLocal.withInitial(HashMap::new);

    private static final ThreadLocal<Db.Pool> POOL = new ThreadLocal<>();

    private final Db.Pool defaultPool;
    private final ExecutorService pool;
    private final Executor fanOut;
    private final ThreadFactory perTask;

    /**
     * @param defaultPool the pool of threads that have none (the application's global data source)
     */
    NaiveState(Db.Pool defaultPool, ExecutorService pool) {
        this.defaultPool = defaultPool;
        this.pool = pool;
        this.fanOut = task -> {
            String id = REQUEST_ID.get();
            User user = USER.get();
            String trace = TRACE_ID.get();
            String service = SERVICE.get();
            Db.Pool db = POOL.get();
            pool.execute(() -> {
                bind(id, user, trace, service, db);     // copied in, never restored
                task.run();
            });
        };
        this.perTask = Threads.perTask("fanout-vt-");
    }

    private static void bind(String id, User user, String trace, String service, Db.Pool db) {
        POOL.set(db);
        REQUEST_ID.set(id);
        USER.set(user);
        TRACE_ID.set(trace);
        SERVICE.set(service);
        MDC.put("request_id", id);
        MDC.put("user", user == null ? null : user.name());
        MDC.put("service", service);
    }

    @Override
    public String label() {
        return "naive ThreadLocal";
    }

    @Override
    public void serve(Admission request, Body body) throws Exception {
        bind(request.requestId(), request.user(), request.traceId(), request.service(), request.pool());
        try {
            body.run();
        } finally {
            REQUEST_ID.remove();
            USER.remove();
            TRACE_ID.remove();
            SERVICE.remove();
            POOL.remove();
            MDC.clear();
            Connection c = CONNECTION.get();
            if (c != null) {
                CONNECTION.remove();
                c.close();
            }
        }
    }

    @Override
    public String requestId() {
        return REQUEST_ID.get();
    }

    @Override
    public User user() {
        return USER.get();
    }

    @Override
    public String traceId() {
        return TRACE_ID.get();
    }

    @Override
    public String service() {
        return SERVICE.get();
    }

    @Override
    public Connection connection() throws SQLException {
        Connection c = CONNECTION.get();
        if (c == null) {
            Db.Pool db = POOL.get();
            c = (db == null ? defaultPool : db).open(USER.get());
            CONNECTION.set(c);
        }
        return c;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T memo(String key, Supplier<T> loader) {
        Map<String, Object> memo = MEMO.get();
        Object value = memo.get(key);
        if (value == null) {
            value = loader.get();
            memo.put(key, value);
        }
        return (T) value;
    }

    @Override
    public Executor fanOut() {
        return fanOut;
    }

    @Override
    public ThreadFactory perTaskThreads() {
        return perTask;
    }

    @Override
    public <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor) {
        return CompletableFuture.supplyAsync(supplier, executor);
    }

    @Override
    public Filter requestFilter(AdmissionFilter users, String internalKey) {
        return null;
    }

    @Override
    public String admittedRequestId() {
        return null;
    }

    @Override
    public String admittedUserName() {
        return null;
    }

    /** Hand-written: the headers from this thread's thread-locals. */
    @Override
    public HttpRequest.Builder outbound(HttpRequest.Builder request) {
        String id = REQUEST_ID.get();
        User user = USER.get();
        String trace = TRACE_ID.get();
        if (trace != null) {
            request.setHeader("traceparent", "00-" + trace + "-" + String.format("%016x", ThreadLocalRandom.current().nextLong() | 1) + "-01");
        }
        StringBuilder baggage = new StringBuilder();
        if (id != null) {
            baggage.append("cv.request_id=").append(id);
        }
        if (user != null) {
            baggage.append(baggage.length() == 0 ? "" : ",").append("cv.user_id=").append(user.id());
        }
        if (baggage.length() > 0) {
            request.setHeader("baggage", baggage.toString());
        }
        return request;
    }

    @Override
    public Filter inbound() {
        return null;
    }

    /** Hand-written: parses the baggage and traceparent headers. */
    @Override
    public String[] carried(HttpServletRequest request) {
        String id = null;
        String user = null;
        String baggage = request.getHeader("baggage");
        if (baggage != null) {
            for (String member : baggage.split(",")) {
                String[] kv = member.trim().split("=", 2);
                if (kv.length == 2 && kv[0].equals("cv.request_id")) {
                    id = kv[1];
                } else if (kv.length == 2 && kv[0].equals("cv.user_id")) {
                    user = kv[1];
                }
            }
        }
        String traceparent = request.getHeader("traceparent");
        String trace = traceparent != null && traceparent.length() == 55 ? traceparent.substring(3, 35) : null;
        return new String[] {id, user, trace};
    }

    @Override
    public boolean currentThreadHolds() {
        return REQUEST_ID.get() != null || USER.get() != null || CONNECTION.get() != null
                || !MEMO.get().isEmpty() || (MDC.getCopyOfContextMap() != null && !MDC.getCopyOfContextMap().isEmpty());
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
