package org.contextvars4j.demo;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * Where the service keeps its per-request state: the one seam between the service code, which is
 * the same in both runs, and the two ways of keeping that state ({@link LibraryState}, with
 * contextvars4j, and {@link NaiveState}, with plain {@code ThreadLocal}s).
 *
 * <p>The service never passes the request id, the user or the connection as parameters: it asks
 * this object, from whatever thread the work happens to run on.
 */
interface RequestState extends AutoCloseable {

    /** A short label for reports ("contextvars4j" or "naive ThreadLocal"). */
    String label();

    /** Runs one admitted request with its id, user, trace id and service bound; frees what it opened. */
    void serve(Admission request, Body body) throws Exception;

    /** The work of one request, run by {@link #serve}. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** The current request's id, or null if this thread sees none. */
    String requestId();

    /** The current request's user, or null if this thread sees none. */
    User user();

    /** The current request's trace id (32 hex digits), or null. */
    String traceId();

    /** The name of the service instance handling the current request, or null. */
    String service();

    /** The current request's database connection, logged in as its user. */
    Connection connection() throws SQLException;

    /** The value of {@code loader} computed once per request (and key). */
    <T> T memo(String key, Supplier<T> loader);

    /** The fan-out executor, as the service submits to it. */
    Executor fanOut();

    /** The factory of the per-task (virtual, on JDK 21+) threads, as the service uses it. */
    ThreadFactory perTaskThreads();

    /** The first stage of an asynchronous chain. */
    <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor);

    /**
     * The library's request filter (fresh context, request id, request scope, authentication), mapped
     * between the guard and the admission; or null.
     */
    Filter requestFilter(AdmissionFilter users, String internalKey);

    /** The request id the request filter admitted, or null (no request filter). */
    String admittedRequestId();

    /** The name of the user the request filter authenticated, or null. */
    String admittedUserName();

    /** Adds the headers that carry the current request to the other instance (traceparent, baggage). */
    HttpRequest.Builder outbound(HttpRequest.Builder request);

    /** The filter that reads what {@link #outbound} wrote, mapped before the admission filter; or null. */
    Filter inbound();

    /**
     * What an internal call from the other instance carried, read after {@link #inbound}: the
     * request id, the user id and the trace id, each null when absent.
     */
    String[] carried(HttpServletRequest request);

    /** Whether the calling thread still holds request state (run after the load, on idle workers). */
    boolean currentThreadHolds();

    /** Shuts the executors down. */
    @Override
    void close();
}
