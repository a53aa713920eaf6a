package org.contextvars4j.demo;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.contextvars4j.Context;
import org.contextvars4j.ContextCompletableFuture;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextThreads;
import org.contextvars4j.ContextVar;
import org.contextvars4j.RequestScope;
import org.contextvars4j.ScopedMemoizer;
import org.contextvars4j.ScopedResource;
import org.contextvars4j.opentelemetry.HttpClientPropagation;
import org.contextvars4j.opentelemetry.ServletPropagationFilter;
import org.contextvars4j.opentelemetry.VarBaggagePropagator;
import org.contextvars4j.opentelemetry.VarCodec;
import org.contextvars4j.servlet.RequestScopeFilter;
import org.contextvars4j.slf4j.ContextLogbackServiceProvider;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.slf4j.ContextMdc;
import org.slf4j.MDC;

/**
 * Request state with contextvars4j: each request runs in a {@link RequestScope} (a fresh
 * context) holding its id, user, trace id and service; the scope owns the request's connection
 * (a {@link ScopedResource}) and its memo (a {@link ScopedMemoizer}).
 * Every propagation point the service uses carries that context: a wrapped executor, a wrapped
 * thread factory, {@link ContextCompletableFuture}.
 */
final class LibraryState implements RequestState {

    static final ContextVar<String> REQUEST_ID = RequestVars.REQUEST_ID;
    static final ContextVar<User> USER = ContextVar.of("user");
    static final ContextVar<String> TRACE_ID = ContextVar.of("trace_id");
    static final ContextVar<String> SERVICE = ContextVar.of("service");
    /** The user's id, the form in which the user crosses to the other instance. */
    static final ContextVar<Long> USER_ID = ContextVar.of("user_id");
    /** traceparent, and the allow-listed vars in W3C baggage (as cv.request_id, cv.user_id). */
    private static final TextMapPropagator PROPAGATOR = TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(),
            VarBaggagePropagator.builder().allow(REQUEST_ID).allow(USER_ID, VarCodec.of(String::valueOf, Long::valueOf)).build());
    private static final ContextVar<Db.Pool> POOL = ContextVar.of("db_pool");
    /** The request's connection: opened on first use from any thread of the request, closed when it ends. */
    private static final ScopedResource<Connection> CONNECTION = ScopedResource.of("db connection",
            () -> POOL.get().open(USER.get()));
    /** One slot per memo key and request; the slot is filled once by the first loader. */
    private static final ScopedMemoizer<String, AtomicReference<Object>> MEMO = ScopedMemoizer.of("request memo",
            key -> new AtomicReference<>());

    private final ExecutorService pool;
    private final Executor fanOut;
    private final ThreadFactory perTask;

    /**
     * @param pool the fan-out pool (wrapped here)
     * @throws IllegalStateException if SLF4J does not run with the context-backed MDC
     */
    LibraryState(ExecutorService pool) {
        if (MDC.getMDCAdapter() != ContextMdc.mdcAdapter()) {
            throw new IllegalStateException("the library run needs the MDC bridge: start the JVM with -Dslf4j.provider="
                    + ContextLogbackServiceProvider.NAME + " (MDC adapter is " + MDC.getMDCAdapter().getClass().getName() + ")");
        }
        ContextMdc.expose("request_id", REQUEST_ID);
        ContextMdc.expose("user", USER);
        ContextMdc.expose("service", SERVICE);
        this.pool = pool;
        this.fanOut = ContextExecutors.wrap(pool);
        this.perTask = ContextThreads.wrap(Threads.perTask("fanout-vt-"));
    }

    @Override
    public String label() {
        return "contextvars4j";
    }

    @Override
    public void serve(Admission request, Body body) throws Exception {
        if (RequestScope.current().isEmpty()) {
            RequestScope.call(() -> {
                bind(request);
                body.run();
                return null;
            });
        } else {
            // Inside the request filter's fresh context and scope: the vars go into that context.
            bind(request);
            body.run();
        }
    }

    private static void bind(Admission request) {
        REQUEST_ID.set(request.requestId());
        USER.set(request.user());
        USER_ID.set(request.user().id());
        TRACE_ID.set(request.traceId());
        SERVICE.set(request.service());
        POOL.set(request.pool());
    }

    @Override
    public Filter requestFilter(AdmissionFilter users, String internalKey) {
        return RequestScopeFilter.builder()
                .authenticator(request -> {
                    if (internalKey.equals(request.getHeader(AdmissionFilter.INTERNAL_KEY))) {
                        return Authentication.anonymous();      // the caller comes in the baggage
                    }
                    String requestId = RequestVars.REQUEST_ID.get();
                    String auth = request.getHeader("Authorization");
                    String token = AdmissionFilter.bearerToken(auth);
                    if (token == null) {
                        String reason = auth == null ? "missing bearer token" : "malformed bearer token";
                        AdmissionFilter.logRejection(401, requestId, reason);
                        return Authentication.refused(reason);
                    }
                    User user = users.byToken(token);
                    if (user == null) {
                        AdmissionFilter.logRejection(401, requestId, "invalid token");
                        return Authentication.refused("invalid token");
                    }
                    return Authentication.of(org.contextvars4j.web.User.of(user.name()));
                })
                .requireUser("/api/*")
                .build();
    }

    @Override
    public String admittedRequestId() {
        return REQUEST_ID.orElse(null);
    }

    @Override
    public String admittedUserName() {
        return RequestVars.currentUser().map(org.contextvars4j.web.User::name).orElse(null);
    }

    @Override
    public String requestId() {
        return REQUEST_ID.orElse(null);
    }

    @Override
    public User user() {
        return USER.orElse(null);
    }

    @Override
    public String traceId() {
        return TRACE_ID.orElse(null);
    }

    @Override
    public String service() {
        return SERVICE.orElse(null);
    }

    @Override
    public Connection connection() throws SQLException {
        return CONNECTION.get();
    }

    @Override
    public <T> T memo(String key, Supplier<T> loader) {
        AtomicReference<Object> slot = MEMO.apply(key);
        synchronized (slot) {
            if (slot.get() == null) {
                slot.set(loader.get());
            }
            @SuppressWarnings("unchecked")
            T value = (T) slot.get();
            return value;
        }
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
        return ContextCompletableFuture.supplyAsync(supplier, executor);
    }

    @Override
    public HttpRequest.Builder outbound(HttpRequest.Builder request) {
        String traceId = TRACE_ID.orElse(null);
        if (traceId == null) {
            return HttpClientPropagation.inject(PROPAGATOR, request);
        }
        SpanContext parent = SpanContext.create(traceId, String.format("%016x", ThreadLocalRandom.current().nextLong() | 1),
                TraceFlags.getSampled(), TraceState.getDefault());
        Scope scope = io.opentelemetry.context.Context.current().with(Span.wrap(parent)).makeCurrent();
        try {
            return HttpClientPropagation.inject(PROPAGATOR, request);
        } finally {
            scope.close();
        }
    }

    @Override
    public Filter inbound() {
        return ServletPropagationFilter.of(PROPAGATOR);
    }

    @Override
    public String[] carried(HttpServletRequest request) {
        Long userId = USER_ID.orElse(null);
        SpanContext span = Span.current().getSpanContext();
        return new String[] {REQUEST_ID.orElse(null), userId == null ? null : userId.toString(),
            span.isValid() ? span.getTraceId() : null};
    }

    @Override
    public boolean currentThreadHolds() {
        return !Context.copyCurrent().isEmpty();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
