package org.contextvars4j.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.contextvars4j.ContextCompletableFuture;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
class BridgeStorageTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request_id");
    private static final ContextKey<String> KEY = ContextKey.named("test-key");

    private Tracing tracing;
    private Tracer tracer;
    private ExecutorService pool;

    @BeforeAll
    static void notInStrictMode() {
        // These tests check the bridge's own scopes; strict mode (BridgeStrictModeTest) wraps them.
        assumeFalse(Boolean.getBoolean("io.opentelemetry.context.enableStrictContext"), "strict-context JVM");
    }

    @BeforeEach
    void setUp() {
        tracing = new Tracing();
        tracer = tracing.tracer("bridge-test");
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        assertThat(Context.current()).isSameAs(Context.root());
        ContextLeakGuard.assertPoolClean(pool, 2);
        pool.shutdown();
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        tracing.close();
    }

    static void assertChildOf(SpanData child, SpanData parent) {
        assertThat(child.getTraceId()).isEqualTo(parent.getTraceId());
        assertThat(child.getParentSpanId()).isEqualTo(parent.getSpanId());
    }

    @Test
    void contextStorage_moduleOnPath_isTheBridge() {
        assertThat(ContextStorage.get()).isSameAs(BridgeStorage.INSTANCE);
    }

    @Test
    @DisplayName("P2: a span made current is the parent of spans in tasks of our executor wrappers, with our vars")
    void makeCurrent_thenWrappedExecutor_childSpanLinkedAndVarsVisible() throws Exception {
        ExecutorService wrapped = ContextExecutors.wrap(pool);
        Span parent = tracer.spanBuilder("parent").startSpan();
        try (Token<String> t = REQUEST.set("r-1"); Scope s = parent.makeCurrent()) {
            String seen = wrapped.submit(() -> {
                Span child = tracer.spanBuilder("child").startSpan();
                child.end();
                return REQUEST.get() + "/" + Span.current().getSpanContext().getSpanId();
            }).get(20, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo("r-1/" + parent.getSpanContext().getSpanId());
        } finally {
            parent.end();
        }
        assertChildOf(tracing.span("child"), tracing.span("parent"));
    }

    @Test
    @DisplayName("P4: every ContextCompletableFuture stage sees the span current at its registration")
    void contextCompletableFuture_stages_childSpansLinkedToRegistrationSpan() throws Exception {
        Span parent = tracer.spanBuilder("parent").startSpan();
        ContextCompletableFuture<String> result;
        try (Scope s = parent.makeCurrent()) {
            result = ContextCompletableFuture.supplyAsync(() -> {
                tracer.spanBuilder("stage-1").startSpan().end();
                return "a";
            }, pool).thenApplyAsync(v -> {
                tracer.spanBuilder("stage-2").startSpan().end();
                return v + Baggage.current().getEntryValue("b");
            }, pool);
        } finally {
            parent.end();
        }
        assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("anull");
        assertChildOf(tracing.span("stage-1"), tracing.span("parent"));
        assertChildOf(tracing.span("stage-2"), tracing.span("parent"));
    }

    @Test
    @DisplayName("OpenTelemetry's own Context.taskWrapping carries our vars, and leaves the worker clean")
    void otelTaskWrapping_varsSet_visibleInTask() throws Exception {
        ExecutorService otelWrapped = Context.taskWrapping(pool);
        Span parent = tracer.spanBuilder("parent").startSpan();
        try (Token<String> t = REQUEST.set("r-2"); Scope s = parent.makeCurrent()) {
            String seen = otelWrapped.submit(() -> {
                tracer.spanBuilder("child").startSpan().end();
                return REQUEST.orElse("missing");
            }).get(20, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo("r-2");
            Runnable check = () -> assertThat(REQUEST.orElse("missing")).isEqualTo("r-2");
            Runnable wrapped = Context.current().wrap(check);
            pool.submit(wrapped).get(20, TimeUnit.SECONDS);
        } finally {
            parent.end();
        }
        assertChildOf(tracing.span("child"), tracing.span("parent"));
    }

    @Test
    void makeCurrent_contextAlreadyCurrent_returnsNoopScope() {
        Context withKey = Context.current().with(KEY, "v");
        try (Token<String> t = REQUEST.set("r"); Scope outer = withKey.makeCurrent()) {
            assertThat(Context.current().makeCurrent()).isSameAs(Scope.noop());
            assertThat(withKey.makeCurrent()).isSameAs(Scope.noop());
            assertThat(Context.current().get(KEY)).isEqualTo("v");
        }
        assertThat(Context.root().makeCurrent()).isSameAs(Scope.noop());
    }

    @Test
    void close_twice_secondIsHarmless() {
        try (Scope outer = Context.root().with(KEY, "outer").makeCurrent()) {
            Scope inner = Context.current().with(KEY, "inner").makeCurrent();
            inner.close();
            inner.close();
            assertThat(Context.current().get(KEY)).isEqualTo("outer");
        }
        assertThat(Context.current().get(KEY)).isNull();
    }

    @Test
    @DisplayName("a scope closed out of order is ignored (logged), and can be closed when it is current again")
    void close_outOfOrder_ignoredThenClosableInOrder() {
        try (LogCapture log = LogCapture.of(BridgeStorage.class, Level.ALL)) {
            Scope a = Context.root().with(KEY, "a").makeCurrent();
            Scope b = Context.current().with(KEY, "b").makeCurrent();
            a.close();
            assertThat(Context.current().get(KEY)).isEqualTo("b");
            assertThat(log.lines()).singleElement().asString().startsWith("FINE ignoring close of a scope");
            b.close();
            assertThat(Context.current().get(KEY)).isEqualTo("a");
            a.close();
            assertThat(Context.current().get(KEY)).isNull();
        }
    }

    @Test
    @DisplayName("a scope closed on another thread is ignored there: neither thread changes")
    void close_onAnotherThread_ignoredBothThreadsUnchanged() throws Exception {
        try (LogCapture log = LogCapture.of(BridgeStorage.class, Level.ALL)) {
            Scope a = Context.root().with(KEY, "a").makeCurrent();
            ContextLeakGuard.runOnNewThread("closer", () -> {
                a.close();
                assertThat(Context.current()).isSameAs(Context.root());
            });
            assertThat(Context.current().get(KEY)).isEqualTo("a");
            assertThat(log.lines()).hasSize(1);
            a.close();
            assertThat(Context.current()).isSameAs(Context.root());
        }
    }

    @Test
    @DisplayName("S6: a scope left open inside Context.run ends with the run; the outer context never sees it")
    void attach_insideRunNotClosed_boundedByRun() {
        new org.contextvars4j.Context().run(() -> {
            Scope leaked = Context.root().with(KEY, "leaked").makeCurrent();
            assertThat(Context.current().get(KEY)).isEqualTo("leaked");
            assertThat(leaked).isNotNull();
        });
        assertThat(Context.current().get(KEY)).isNull();
    }

    @Test
    @DisplayName("S6: a scope that entered carried vars and is left open inside Context.run is exited by the run, which fails")
    void attachCarried_insideRunNotClosed_runExitsItAndFails() throws Exception {
        Context carried;
        try (Token<String> t = REQUEST.set("carried")) {
            carried = Context.current();
        }
        assertThatThrownBy(() -> new org.contextvars4j.Context().run(() -> {
            carried.makeCurrent();
            assertThat(REQUEST.get()).isEqualTo("carried");
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("still entered");
        assertThat(REQUEST.orElse(null)).isNull();
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    @DisplayName("gRPC contexts stored inside OpenTelemetry's keep working across both kinds of wrappers")
    void grpcContextStoredInOtel_acrossWrappers_readable() throws Exception {
        io.grpc.Context.Key<String> grpcKey = io.grpc.Context.key("grpc-key");
        ContextKey<io.grpc.Context> grpcInOtel = ContextKey.named("grpc-context");
        io.grpc.Context grpc = io.grpc.Context.ROOT.withValue(grpcKey, "g");
        try (Token<String> t = REQUEST.set("r"); Scope s = Context.current().with(grpcInOtel, grpc).makeCurrent()) {
            AtomicReference<String> viaOurs = new AtomicReference<>();
            ContextExecutors.wrap(pool).submit(() -> viaOurs.set(grpcKey.get(Context.current().get(grpcInOtel))))
                    .get(20, TimeUnit.SECONDS);
            String viaOtel = Context.taskWrapping(pool).submit(() -> grpcKey.get(Context.current().get(grpcInOtel)))
                    .get(20, TimeUnit.SECONDS);
            assertThat(viaOurs.get()).isEqualTo("g");
            assertThat(viaOtel).isEqualTo("g");
        }
    }

    @Test
    @DisplayName("S5: inside an OpenTelemetry scope our own API keeps its rules")
    void reset_usedTokenInsideOtelScope_refused() {
        try (Scope s = Context.root().with(KEY, "v").makeCurrent()) {
            Token<String> token = REQUEST.set("x");
            REQUEST.reset(token);
            assertThatThrownBy(() -> REQUEST.reset(token))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has already been used once");
            assertThat(REQUEST.orElse(null)).isNull();
            assertThat(Context.current().get(KEY)).isEqualTo("v");
        }
    }
}
