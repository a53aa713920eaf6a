package org.contextvars4j.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.sun.management.ThreadMXBean;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenTelemetry's context contract, as its javadoc and its default storage state it, checked with
 * contextvars4j vars set on the thread: identity while nothing changed, {@code with} of the value
 * already there, equality after a scope closed, the no-op scope, and the decision on
 * {@code Context.root()} (docs/distributed.md, "Identity and equality").
 */
@ExtendWith(ContextLeakGuard.class)
class OpenTelemetryContractTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request_id");
    private static final ContextVar<String> TENANT = ContextVar.of("tenant");
    private static final ContextVar<Integer> ATTEMPT = ContextVar.of("attempt");
    private static final ContextKey<String> KEY = ContextKey.named("contract-key");

    /** A span that needs no SDK: OpenTelemetry's contract is about contexts, not about tracing. */
    private static final Span SPAN = Span.wrap(SpanContext.create("0af7651916cd43dd8448eb211c80319c",
            "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault()));

    private static ExecutorService worker;

    @BeforeAll
    static void startWorker() {
        // Strict mode wraps the storage and checks scopes of its own; this class checks the bridge.
        assumeFalse(Boolean.getBoolean("io.opentelemetry.context.enableStrictContext"), "strict-context JVM");
        worker = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stopWorker() throws InterruptedException {
        if (worker != null) {
            worker.shutdown();
            assertThat(worker.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @AfterEach
    void leftRootAndWorkerClean() throws Exception {
        assertThat(Context.current()).isSameAs(Context.root());
        ContextLeakGuard.assertPoolClean(worker, 1);
    }

    @Test
    @DisplayName("Context.current() is the same object while neither the attachment nor the vars changed")
    void current_varsSetNothingChanged_sameObject() {
        try (Token<String> t = REQUEST.set("r-1")) {
            Context first = Context.current();
            assertThat(Context.current()).isSameAs(first);
            try (Scope s = SPAN.makeCurrent()) {
                Context inScope = Context.current();
                assertThat(inScope).isNotSameAs(first);
                assertThat(Context.current()).isSameAs(inScope);
                assertThat(Span.fromContext(inScope)).isSameAs(SPAN);
            }
        }
    }

    @Test
    @DisplayName("Context.current() changes with the vars: a set shows at once, with its value carried")
    void current_varChanged_newContextCarryingNewValue() throws Exception {
        try (Token<String> t = REQUEST.set("r-1")) {
            Context before = Context.current();
            try (Token<String> t2 = REQUEST.set("r-2")) {
                Context after = Context.current();
                assertThat(after).isNotSameAs(before).isNotEqualTo(before);
                assertThat(worker.submit(after.wrap(() -> REQUEST.get())).get(10, TimeUnit.SECONDS)).isEqualTo("r-2");
            }
            assertThat(Context.current()).isEqualTo(before);
        }
    }

    @Test
    @DisplayName("with(key, value already there) returns this, with vars set")
    void with_sameValueAlreadyThere_returnsThis() {
        String value = "v";
        try (Token<String> t = REQUEST.set("r-1")) {
            Context withKey = Context.current().with(KEY, value);
            assertThat(withKey.with(KEY, value)).isSameAs(withKey);
            assertThat(withKey.with(KEY, "other")).isNotSameAs(withKey);
        }
    }

    @Test
    @DisplayName("closing a scope and reading again gives a context equal to the one before, same hash")
    void makeCurrentThenClose_reread_equalToBefore() {
        try (Token<String> t = REQUEST.set("r-1"); Token<String> u = TENANT.set("acme")) {
            Context initial = Context.current();
            try (Scope s = initial.with(KEY, "v").makeCurrent()) {
                assertThat(Context.current()).isNotEqualTo(initial);
                assertThat(Context.current().get(KEY)).isEqualTo("v");
            }
            Context reread = Context.current();
            assertThat(reread).isEqualTo(initial);
            assertThat(reread.hashCode()).isEqualTo(initial.hashCode());
        }
    }

    @Test
    @DisplayName("attaching the current context returns the no-op scope, with vars set")
    void makeCurrent_ofCurrentContext_noopScope() {
        try (Token<String> t = REQUEST.set("r-1")) {
            Context current = Context.current();
            try (Scope s = current.makeCurrent()) {
                assertThat(s).isSameAs(Scope.noop());
                assertThat(Context.current()).isSameAs(current);
            }
        }
    }

    @Test
    @DisplayName("Context.root(): the current context is root only when no OpenTelemetry entry and no var is set")
    void root_varsSet_notRootEitherWay() {
        assertThat(Context.current()).isSameAs(Context.root());
        try (Token<String> t = REQUEST.set("r-1")) {
            Context current = Context.current();
            assertThat(current).isNotEqualTo(Context.root());
            assertThat(Context.root()).isNotEqualTo(current);
            assertThat(Span.fromContextOrNull(current)).isNull();
        }
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    @DisplayName("OpenTelemetry's own wrappers still carry the vars of the context they captured")
    void taskWrapping_varsSet_taskSeesVars() throws Exception {
        try (Token<String> t = REQUEST.set("r-1"); Token<Integer> a = ATTEMPT.set(2)) {
            ExecutorService wrapped = Context.taskWrapping(worker);
            assertThat(wrapped.submit(() -> REQUEST.get() + "/" + ATTEMPT.get()).get(10, TimeUnit.SECONDS))
                    .isEqualTo("r-1/2");
        }
    }

    @Test
    @DisplayName("Context.current() with 3 vars set allocates nothing in steady state")
    void current_threeVarsSteadyState_allocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Token<String> t = REQUEST.set("r-1"); Token<String> u = TENANT.set("acme");
                Token<Integer> a = ATTEMPT.set(1)) {
            Context first = Context.current();
            int calls = 200_000;
            long sink = 0;
            threads.getCurrentThreadAllocatedBytes();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                sink += System.identityHashCode(Context.current());
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(sink).isNotZero();
            // The measurement itself may allocate a few hundred bytes; one object per call would be 4.8 MB.
            assertThat(allocated).isLessThan(calls / 20);
            assertThat(Context.current()).isSameAs(first);
        }
    }

    @Test
    @DisplayName("S11: the answer kept for Context.current() keeps no finished task's value on a pooled thread")
    void current_onAPooledThread_keepsNoFinishedTasksValue() throws Exception {
        // Unwrapped task: Context.current() is read while the value is set (the answer is kept in
        // the worker's own context), then the value is reset.
        ContextLeakGuard.assertWorkerKeepsNoFinishedValue(worker,
                () -> assertThat(Context.current()).isSameAs(Context.current()));
    }
}
