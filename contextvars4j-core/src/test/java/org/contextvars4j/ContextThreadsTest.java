package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;

/** P1 (new threads start empty) and P3 (thread factories, Thread(context=...)). */
@ExtendWith(ContextLeakGuard.class)
class ContextThreadsTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    static String onThread(Thread t, AtomicReference<String> out) throws InterruptedException {
        t.start();
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        return out.get();
    }

    @Nested
    class NewThreads {
        @Test
        void newThread_startsEmpty_evenWhenParentHasValues_P1() throws Exception {
            AtomicReference<String> seen = new AtomicReference<>();
            try (Token<String> t = REQ.set("parent")) {
                assertThat(onThread(new Thread(() -> seen.set(REQ.orElse("none") + "/" + Context.copyCurrent().size())), seen))
                        .isEqualTo("none/0");
            }
        }
    }

    @Nested
    class WrapThreadFactory {
        @Test
        void newThread_capturesAtNewThreadCall_P3() throws Exception {
            ThreadFactory factory = ContextThreads.wrap(Executors.defaultThreadFactory());
            AtomicReference<String> seen = new AtomicReference<>();
            Thread thread;
            try (Token<String> t = REQ.set("at-newThread")) {
                thread = factory.newThread(() -> seen.set(REQ.orElse("none")));
            }
            try (Token<String> t = REQ.set("at-start")) {
                assertThat(onThread(thread, seen)).isEqualTo("at-newThread");
            }
        }

        @Test
        void threadSet_notSeenByCreator_P3() throws Exception {
            ThreadFactory factory = ContextThreads.wrap(Executors.defaultThreadFactory());
            AtomicReference<String> seen = new AtomicReference<>();
            try (Token<String> t = REQ.set("creator")) {
                Thread thread = factory.newThread(() -> {
                    REQ.set("thread");
                    seen.set(REQ.get());
                });
                assertThat(onThread(thread, seen)).isEqualTo("thread");
                assertThat(REQ.get()).isEqualTo("creator");
            }
        }

        @ParameterizedTest(name = "task throws: {0}")
        @ValueSource(booleans = {false, true})
        void wrappedFactory_afterTask_threadClean_evenWhenTaskThrows_P3(boolean taskThrows) throws Exception {
            // The delegate factory wraps what the library hands it, so its code runs on the new
            // thread after the library's wrapper has exited the task's context.
            AtomicReference<String> seen = new AtomicReference<>();
            AtomicBoolean cleanAfter = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            ThreadFactory observing = r -> new Thread(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    thrown.set(e);
                } finally {
                    cleanAfter.set(ContextLeakGuard.isThreadClean());
                }
            });
            ThreadFactory factory = ContextThreads.wrap(observing);
            Thread thread;
            try (Token<String> t = REQ.set("creator")) {
                thread = factory.newThread(() -> {
                    seen.set(REQ.get());
                    REQ.set("changed-by-task");
                    if (taskThrows) {
                        throw new IllegalStateException("boom");
                    }
                });
            }
            thread.start();
            thread.join(10_000);
            assertThat(thread.isAlive()).isFalse();
            assertThat(seen.get()).as("the value arrives").isEqualTo("creator");
            assertThat(cleanAfter.get()).as("the thread's context after the task").isTrue();
            if (taskThrows) {
                assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            }
            assertThat(REQ.orElse("absent")).isEqualTo("absent");
        }

        @Test
        void wrappedFactory_withThreadPerTaskLikeUse_eachThreadItsOwnCopy_P3() throws Exception {
            ThreadFactory factory = ContextThreads.wrap(Executors.defaultThreadFactory());
            AtomicReference<String> a = new AtomicReference<>();
            AtomicReference<String> b = new AtomicReference<>();
            Thread ta;
            Thread tb;
            try (Token<String> t = REQ.set("first")) {
                ta = factory.newThread(() -> a.set(REQ.get()));
            }
            try (Token<String> t = REQ.set("second")) {
                tb = factory.newThread(() -> b.set(REQ.get()));
            }
            onThread(tb, b);
            onThread(ta, a);
            assertThat(a.get()).isEqualTo("first");
            assertThat(b.get()).isEqualTo("second");
        }

        @Test
        void nullFactory_S9() {
            assertThatThrownBy(() -> ContextThreads.wrap(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("factory");
        }
    }

    @Nested
    class StartInContext {
        @Test
        void start_runsInGivenContextItself_setsVisibleAfter_P3() throws Exception {
            Context ctx = new Context();
            ctx.run(() -> REQ.set("given"));
            AtomicReference<String> seen = new AtomicReference<>();
            Thread t = ContextThreads.start(ctx, () -> {
                seen.set(REQ.get());
                REQ.set("changed-in-thread");
            });
            t.join(10_000);
            assertThat(seen.get()).isEqualTo("given");
            assertThat(ctx.get(REQ)).isEqualTo("changed-in-thread");
            assertThat(ctx.isEntered()).isFalse();
        }

        @Test
        void start_withCopyCurrent_callerUnaffected_P3() throws Exception {
            AtomicReference<String> seen = new AtomicReference<>();
            try (Token<String> tok = REQ.set("caller")) {
                Thread t = ContextThreads.start(Context.copyCurrent(), () -> {
                    seen.set(REQ.get());
                    REQ.set("thread");
                });
                t.join(10_000);
                assertThat(REQ.get()).isEqualTo("caller");
            }
            assertThat(seen.get()).isEqualTo("caller");
        }

        @Test
        void unstarted_isNotStarted_canBeNamed_P3() throws Exception {
            AtomicReference<String> seen = new AtomicReference<>();
            Thread t = ContextThreads.unstarted(new Context(), () -> seen.set(Thread.currentThread().getName()
                    + ":" + REQ.orElse("empty")));
            assertThat(t.getState()).isEqualTo(Thread.State.NEW);
            t.setName("named-worker");
            assertThat(onThread(t, seen)).isEqualTo("named-worker:empty");
        }

        @Test
        void start_contextEnteredElsewhere_failsOnThread_taskNotRun_S7() throws Exception {
            Context ctx = new Context();
            AtomicBoolean ran = new AtomicBoolean();
            AtomicReference<Throwable> uncaught = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            try (Scope s = ctx.enter()) {
                Thread t = ContextThreads.unstarted(ctx, () -> ran.set(true));
                t.setUncaughtExceptionHandler((th, e) -> {
                    uncaught.set(e);
                    done.countDown();
                });
                t.start();
                assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
                t.join(10_000);
            }
            assertThat(ran.get()).isFalse();
            assertThat(uncaught.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("already entered");
        }

        @Test
        void start_taskThrows_contextReleasedAndSetsVisible_P3() throws Exception {
            Context ctx = new Context();
            AtomicReference<Throwable> uncaught = new AtomicReference<>();
            AtomicBoolean cleanAfter = new AtomicBoolean();
            Thread t = ContextThreads.unstarted(ctx, () -> {
                REQ.set("before-failure");
                throw new IllegalStateException("boom");
            });
            t.setUncaughtExceptionHandler((th, e) -> {
                uncaught.set(e);
                cleanAfter.set(ContextLeakGuard.isThreadClean());   // runs on t, after the task
            });
            t.start();
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
            assertThat(uncaught.get()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThat(cleanAfter.get()).as("the thread's context after the failed task").isTrue();
            assertThat(ctx.isEntered()).as("ctx released although the task threw").isFalse();
            assertThat(ctx.get(REQ)).as("sets inside are visible through ctx").isEqualTo("before-failure");
            try (Scope s = ctx.enter()) {
                assertThat(REQ.get()).as("ctx can be entered again").isEqualTo("before-failure");
            }
        }

        @Test
        void nullArguments_S9() {
            assertThatThrownBy(() -> ContextThreads.start(null, () -> { })).hasMessage("context");
            assertThatThrownBy(() -> ContextThreads.unstarted(new Context(), null)).hasMessage("task");
        }
    }

    @Nested
    class LibraryThreads {
        /**
         * Threads from start/unstarted keep their current context in a field, not in the
         * ThreadLocal (the read fast path): everything that switches contexts must work the same
         * on them, and leave them exactly as before.
         */
        @Test
        void start_nestedRunScopeAndHandOff_onLibraryThread_behaveAndLeaveThreadClean_S6_P2() throws Exception {
            Context ctx = new Context();
            AtomicReference<String> log = new AtomicReference<>("");
            java.util.concurrent.ExecutorService pool = ContextExecutors.wrap(Executors.newSingleThreadExecutor());
            Thread t = ContextThreads.start(ctx, () -> {
                assertThat(Storage.currentOrNull()).as("the library thread runs in ctx itself").isSameAs(ctx);
                try (Token<String> outer = REQ.set("outer")) {
                    Context inner = Context.copyCurrent();
                    inner.run(() -> {
                        REQ.set("inner");
                        log.set(log.get() + REQ.get() + ";");
                    });
                    try (Scope s = new Context().enter()) {
                        log.set(log.get() + REQ.orElse("empty") + ";");
                    }
                    try {
                        log.set(log.get() + pool.submit(() -> REQ.get()).get(10, TimeUnit.SECONDS) + ";");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    log.set(log.get() + REQ.get() + ";");
                }
                assertThat(Storage.currentOrNull()).isSameAs(ctx);
                assertThat(ctx.containsKey(REQ)).as("reset on the library thread").isFalse();
            });
            t.join(10_000);
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(log.get()).isEqualTo("inner;empty;outer;outer;");
            assertThat(ctx.isEntered()).as("ctx released when the thread ended").isFalse();
        }
    }

    @Nested
    class ContextWrap {
        @Test
        void wrapRunnable_freshCopyEachRun_sourceUnchanged_P2() {
            Context ctx = new Context();
            ctx.run(() -> REQ.set("source"));
            StringBuilder seen = new StringBuilder();
            Runnable r = ctx.wrap(() -> {
                seen.append(REQ.get()).append(';');
                REQ.set("run-changed");
            });
            r.run();
            r.run();
            assertThat(seen).hasToString("source;source;");
            assertThat(ctx.get(REQ)).isEqualTo("source");
            assertThat(ctx.isEntered()).isFalse();
        }

        @ParameterizedTest(name = "task throws: {0}")
        @ValueSource(booleans = {false, true})
        void wrapRunnable_onPoolWorker_valueArrivesAndWorkerRestored_evenWhenTaskThrows_P2(boolean taskThrows)
                throws Exception {
            try (Worker worker = new Worker()) {
                AtomicReference<String> seen = new AtomicReference<>();
                Runnable wrapped;
                try (Token<String> t = REQ.set("caller")) {
                    wrapped = Context.copyCurrent().wrap(() -> {
                        seen.set(REQ.get());
                        REQ.set("changed-by-task");
                        if (taskThrows) {
                            throw new IllegalStateException("boom");
                        }
                    });
                }
                var f = worker.raw.submit(wrapped);
                if (taskThrows) {
                    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
                } else {
                    f.get(10, TimeUnit.SECONDS);
                }
                assertThat(seen.get()).as("the value arrives").isEqualTo("caller");
                worker.assertRestored("after Context.wrap task, throws=" + taskThrows);
            }
        }

        @Test
        void wrapRunnable_sourceChangedAfterWrap_runSeesContentsAtWrap_P2() {
            Context ctx = new Context();
            ctx.run(() -> REQ.set("at-wrap"));
            AtomicReference<String> seen = new AtomicReference<>();
            Runnable r = ctx.wrap(() -> seen.set(REQ.get()));
            ctx.run(() -> REQ.set("after-wrap"));
            r.run();
            assertThat(seen.get()).as("wrap captures the contents at the call").isEqualTo("at-wrap");
            assertThat(ctx.get(REQ)).isEqualTo("after-wrap");
        }

        @Test
        void wrapRunnable_canRunWhileSourceEntered_noS7Conflict_P2() {
            Context ctx = new Context();
            AtomicReference<String> seen = new AtomicReference<>();
            try (Scope s = ctx.enter(); Token<String> t = REQ.set("in-source")) {
                ctx.wrap(() -> seen.set(REQ.get())).run();
            }
            assertThat(seen.get()).isEqualTo("in-source");
        }

        @Test
        void wrapCallable_resultAndExceptionPassThrough_P2() throws Exception {
            Context ctx = Context.copyCurrent();
            try (Token<String> t = REQ.set("caller")) {
                assertThat(ctx.wrap(() -> REQ.orElse("absent")).call()).isEqualTo("absent");
                assertThatThrownBy(() -> ctx.wrap(() -> {
                    throw new java.io.IOException("io");
                }).call()).isInstanceOf(java.io.IOException.class).hasMessage("io");
                assertThat(REQ.get()).isEqualTo("caller");
            }
        }

        @Test
        void wrap_null_S9() {
            assertThatThrownBy(() -> new Context().wrap((Runnable) null)).hasMessage("task");
        }
    }
}
