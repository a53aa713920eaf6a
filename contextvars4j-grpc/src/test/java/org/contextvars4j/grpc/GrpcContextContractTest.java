package org.contextvars4j.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.grpc.Context;
import io.grpc.Deadline;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gRPC's documented {@code io.grpc.Context} behaviour, with {@code ContextStorageOverride} as its
 * storage, each test with and without a contextvars4j var set; then what the override adds: both
 * kinds of hand-off carry both stores.
 */
@ExtendWith(ContextLeakGuard.class)
class GrpcContextContractTest {

    private static final Context.Key<String> KEY = Context.key("key");
    private static final ContextVar<String> TENANT = ContextVar.of("tenant");

    private static ExecutorService pool;
    private static ScheduledExecutorService scheduler;

    @BeforeAll
    static void start() {
        pool = Executors.newFixedThreadPool(2);
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stop() throws Exception {
        ContextLeakGuard.assertPoolClean(pool, 2);
        pool.shutdown();
        scheduler.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs {@code body} with TENANT set when {@code vars}, so each contract holds either way. */
    private static void maybeWithVars(boolean vars, Callable<Void> body) throws Exception {
        if (!vars) {
            body.call();
            return;
        }
        try (Token<String> ignored = TENANT.set("acme")) {
            body.call();
        }
    }

    @Test
    void storage_isTheOverride_aFreshContextvarsContextHasGrpcRoot() {
        Context ctx = Context.ROOT.withValue(KEY, "v");
        Context previous = ctx.attach();
        try {
            assertThat(KEY.get()).isEqualTo("v");
            new org.contextvars4j.Context().run(() -> assertThat(Context.current()).isSameAs(Context.ROOT));
        } finally {
            ctx.detach(previous);
        }
    }

    @Test
    @DisplayName("the storage itself answers ROOT when nothing is attached, computed and kept alike (gRPC reads null as ROOT)")
    void storageCurrent_nothingAttached_rootAlsoFromTheKeptAnswer() {
        Context.Storage storage = new io.grpc.override.ContextStorageOverride();
        assertThat(storage.current()).isSameAs(Context.ROOT);              // no contextvars4j context yet: computed
        new org.contextvars4j.Context().run(() -> {
            assertThat(storage.current()).isSameAs(Context.ROOT);          // computed, then kept in the context
            assertThat(storage.current()).isSameAs(Context.ROOT);          // the kept answer
            assertThat(Context.current()).isSameAs(Context.ROOT);
        });
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    void current_nothingAttached_isRoot(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            assertThat(KEY.get()).isNull();
            assertThat(Context.current().getDeadline()).isNull();
            assertThat(Context.current().isCancelled()).isFalse();
            if (!vars) {
                assertThat(Context.current()).isSameAs(Context.ROOT);
            }
            return null;
        });
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    void attach_returnsPrevious_detachRestoresIt(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            Context outer = Context.current().withValue(KEY, "outer");
            Context outerPrevious = outer.attach();
            assertThat(outerPrevious).isSameAs(Context.ROOT);
            Context inner = Context.current().withValue(KEY, "inner");
            Context innerPrevious = inner.attach();
            assertThat(innerPrevious).isSameAs(outer);
            assertThat(KEY.get()).isEqualTo("inner");
            if (!vars) {
                assertThat(Context.current()).isSameAs(inner);
            } else {
                assertThat(TENANT.get()).isEqualTo("acme");
            }
            inner.detach(innerPrevious);
            assertThat(KEY.get()).isEqualTo("outer");
            outer.detach(outerPrevious);
            assertThat(KEY.get()).isNull();
            return null;
        });
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    void runAndCall_runInTheContext_restoreAfter(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            Context ctx = Context.current().withValue(KEY, "run");
            ctx.run(() -> assertThat(KEY.get()).isEqualTo("run"));
            String called = ctx.call(KEY::get);
            assertThat(called).isEqualTo("run");
            assertThat(KEY.get()).isNull();
            return null;
        });
    }

    @Test
    void detach_notTheCurrentContext_loggedAtSevereNotThrown_restoresToRestore() {
        Context a = Context.ROOT.withValue(KEY, "a");
        Context b = Context.ROOT.withValue(KEY, "b");
        Context previousA = a.attach();
        Context previousB = b.attach();
        try (JulCapture log = new JulCapture("io.grpc.override.ContextStorageOverride")) {
            a.detach(previousA); // out of order: b is current
            List<LogRecord> records = log.records();
            assertThat(records).hasSize(1);
            assertThat(records.get(0).getLevel()).isEqualTo(Level.SEVERE);
            assertThat(records.get(0).getMessage()).isEqualTo("Context was not attached when detaching");
            assertThat(records.get(0).getThrown()).isNotNull();
        }
        // As gRPC's default storage: toRestore is made current all the same.
        assertThat(Context.current()).isSameAs(previousA);
        assertThat(previousB).isSameAs(a);
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    void cancel_cancelsContextAndChildren_notParent_runsListeners(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            Context.CancellableContext cancellable = Context.current().withCancellation();
            Context child = cancellable.withValue(KEY, "child");
            Context forked = cancellable.fork();
            CountDownLatch heard = new CountDownLatch(1);
            child.addListener(c -> heard.countDown(), Runnable::run);
            IllegalStateException cause = new IllegalStateException("stop");
            Context previous = cancellable.attach();
            try {
                assertThat(Context.current().isCancelled()).isFalse();
                assertThat(cancellable.cancel(cause)).isTrue();
                assertThat(Context.current().isCancelled()).isTrue();
                assertThat(Context.current().cancellationCause()).isSameAs(cause);
            } finally {
                cancellable.detach(previous);
            }
            assertThat(heard.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(child.isCancelled()).isTrue();
            assertThat(forked.isCancelled()).isFalse();
            assertThat(Context.current().isCancelled()).isFalse();
            return null;
        });
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    void deadline_passes_cancelsWithTimeout(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            Context.CancellableContext timed = Context.current().withDeadlineAfter(50, TimeUnit.MILLISECONDS, scheduler);
            CountDownLatch expired = new CountDownLatch(1);
            timed.addListener(c -> expired.countDown(), Runnable::run);
            timed.run(() -> {
                Deadline deadline = Context.current().getDeadline();
                assertThat(deadline).isNotNull();
                // At most the 50 ms asked for; below 0 when a loaded machine stalled this thread.
                assertThat(deadline.timeRemaining(TimeUnit.MILLISECONDS)).isLessThanOrEqualTo(50L);
            });
            assertThat(expired.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(timed.cancellationCause()).isInstanceOf(TimeoutException.class);
            return null;
        });
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    void wrap_runsOnAnotherThreadInTheContext_carriesVars(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            Context ctx = Context.current().withValue(KEY, "wrapped");
            AtomicReference<String> seen = new AtomicReference<>();
            Runnable runnable = ctx.wrap(() -> seen.set(KEY.get() + "/" + TENANT.orElse("none")));
            Callable<String> callable = ctx.wrap(() -> KEY.get() + "/" + TENANT.orElse("none"));
            pool.submit(runnable).get(5, TimeUnit.SECONDS);
            String expected = vars ? "wrapped/acme" : "wrapped/none";
            assertThat(seen.get()).isEqualTo(expected);
            assertThat(pool.submit(callable).get(5, TimeUnit.SECONDS)).isEqualTo(expected);
            return null;
        });
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    void currentContextExecutor_runsInContextCurrentAtExecute_carriesVars(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            Executor executor = Context.currentContextExecutor(pool);
            Context ctx = Context.current().withValue(KEY, "at-execute");
            Future<String> seen = ctx.call(() -> {
                java.util.concurrent.CompletableFuture<String> f = new java.util.concurrent.CompletableFuture<>();
                executor.execute(() -> f.complete(KEY.get() + "/" + TENANT.orElse("none")));
                return f;
            });
            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo(vars ? "at-execute/acme" : "at-execute/none");
            return null;
        });
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    void fixedContextExecutor_runsInItsContext(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            Executor executor = Context.ROOT.withValue(KEY, "fixed").fixedContextExecutor(pool);
            java.util.concurrent.CompletableFuture<String> f = new java.util.concurrent.CompletableFuture<>();
            Context.current().withValue(KEY, "other").run(() -> executor.execute(() -> f.complete(KEY.get())));
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("fixed");
            return null;
        });
    }

    @Test
    void contextvarsHandOff_carriesGrpcValuesDeadlineAndCancellation() throws Exception {
        ExecutorService wrapped = ContextExecutors.wrap(pool);
        Context.CancellableContext call = Context.ROOT.withValue(KEY, "call")
                .withDeadlineAfter(1, TimeUnit.MINUTES, scheduler);
        CountDownLatch cancelled = new CountDownLatch(1);
        Context previous = call.attach();
        try (Token<String> ignored = TENANT.set("acme")) {
            Future<String> seen = wrapped.submit(() -> {
                Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
                return KEY.get() + "/" + TENANT.get() + "/" + (Context.current().getDeadline() != null);
            });
            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("call/acme/true");
        } finally {
            call.detach(previous);
        }
        call.cancel(null);
        assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("attach of the context already current returns it and changes nothing; its detach restores nothing")
    void attach_alreadyCurrent_changesNothing_detachKeepsIt() {
        Context ctx = Context.ROOT.withValue(KEY, "v");
        Context previous = ctx.attach();
        try {
            org.contextvars4j.Context before = org.contextvars4j.Context.copyCurrent();
            Context again = ctx.attach();
            assertThat(again).isSameAs(ctx);
            assertThat(before.matchesCurrent()).isTrue();
            ctx.detach(again);
            assertThat(before.matchesCurrent()).isTrue();
            assertThat(Context.current()).isSameAs(ctx);
        } finally {
            ctx.detach(previous);
        }
        assertThat(Context.current()).isSameAs(Context.ROOT);
    }

    @ParameterizedTest(name = "vars set: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S3/S6: a copy taken while attached keeps gRPC's context after the detach; one taken before never sees it")
    void detach_copyTakenWhileAttached_keepsIt_copyTakenBefore_neverSeesIt(boolean vars) throws Exception {
        maybeWithVars(vars, () -> {
            org.contextvars4j.Context before = org.contextvars4j.Context.copyCurrent();
            Context ctx = Context.ROOT.withValue(KEY, "attached");
            Context previous = ctx.attach();
            org.contextvars4j.Context during = org.contextvars4j.Context.copyCurrent();
            ctx.detach(previous);
            assertThat(KEY.get()).isNull();
            String seenDuring = during.supply(() -> KEY.get());
            String seenBefore = before.supply(() -> KEY.get());
            assertThat(seenDuring).isEqualTo("attached");
            assertThat(seenBefore).isNull();
            // The detach put the contextvars4j map before the attach back: nothing left behind.
            assertThat(before.matchesCurrent()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("S5: a var set between attach and detach stays; only gRPC's context is restored")
    void detach_varSetWhileAttached_staysSet_grpcContextRestored() {
        Context ctx = Context.ROOT.withValue(KEY, "attached");
        Context previous = ctx.attach();
        Token<String> token = TENANT.set("set while attached");
        ctx.detach(previous);
        assertThat(KEY.get()).isNull();
        assertThat(Context.current()).isNotNull();
        assertThat(TENANT.get()).isEqualTo("set while attached");
        TENANT.reset(token);
        assertThat(org.contextvars4j.Context.copyCurrent().isEmpty()).isTrue();
    }

    @Test
    void attachOfCarriedContext_onItsOwnThread_entersNothing_varsSetInsideStay() {
        try (Token<String> ignored = TENANT.set("acme")) {
            Context carrying = Context.current().withValue(KEY, "same-thread");
            Context previous = carrying.attach();
            ContextVar<String> later = ContextVar.of("later");
            Token<String> token = later.set("set while attached");
            carrying.detach(previous);
            // The attach entered no copy, so the var set inside is still in this context.
            assertThat(later.get()).isEqualTo("set while attached");
            later.reset(token);
        }
    }

    @Test
    void current_varsSetNothingChanged_sameObject_changedAfterASetOrAttach() {
        try (Token<String> ignored = TENANT.set("acme")) {
            Context first = Context.current();
            assertThat(Context.current()).isSameAs(first);
            Context attached = Context.current().withValue(KEY, "attached");
            Context previous = attached.attach();
            Context inAttach = Context.current();
            assertThat(inAttach).isNotSameAs(first).isNotSameAs(attached);
            assertThat(Context.current()).isSameAs(inAttach);
            assertThat(KEY.get()).isEqualTo("attached");
            ContextVar<String> later = ContextVar.of("later");
            try (Token<String> t = later.set("v")) {
                Context afterSet = Context.current();
                assertThat(afterSet).isNotSameAs(inAttach);
                assertThat(Context.current()).isSameAs(afterSet);
            }
            attached.detach(previous);
            assertThat(KEY.get()).isNull();
            assertThat(Context.current()).isNotSameAs(inAttach);
        }
    }

    @Test
    void current_varSetSteadyState_allocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Context attached = Context.ROOT.withValue(KEY, "attached");
        try (Token<String> ignored = TENANT.set("acme")) {
            Context previous = attached.attach();
            try {
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
                // The measurement may allocate a few hundred bytes; one child per call would be 27 MB.
                assertThat(allocated).isLessThan(calls / 20);
                assertThat(Context.current()).isSameAs(first);
            } finally {
                attached.detach(previous);
            }
        }
    }

    @Test
    void current_onAPooledThread_keepsNoFinishedTasksValue_S11() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            // Unwrapped task: gRPC's current context is read while the value is set (the answer
            // is kept in the worker's own context), then the value is reset.
            ContextLeakGuard.assertWorkerKeepsNoFinishedValue(single,
                    () -> assertThat(Context.current()).isSameAs(Context.current()));
        } finally {
            single.shutdown();
            assertThat(single.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
