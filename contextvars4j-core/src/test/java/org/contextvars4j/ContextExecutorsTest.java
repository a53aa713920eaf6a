package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** P2: wrapped executors capture at submission, give each task its own copy, restore the worker. */
@ExtendWith(ContextLeakGuard.class)
class ContextExecutorsTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    final Worker worker = new Worker();

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    /** The common tests, run once per way of handing a task over. */
    abstract class HandOff {

        /** Hands {@code task} over through the method under test and waits for its result. */
        abstract <V> V handOff(Callable<V> task) throws Exception;

        ExecutorService wrapped() {
            return ContextExecutors.wrap((ScheduledExecutorService) worker.raw);
        }

        @Test
        void valueArrives_P2() throws Exception {
            try (Token<String> t = REQ.set("r-1")) {
                assertThat(this.<String>handOff(() -> REQ.get())).isEqualTo("r-1");
            }
            worker.assertRestored("after task");
        }

        @Test
        void taskSet_notSeenBySubmitter_P2() throws Exception {
            try (Token<String> t = REQ.set("r-1")) {
                String seen = handOff(() -> {
                    REQ.set("changed-by-task");
                    return REQ.get();
                });
                assertThat(seen).isEqualTo("changed-by-task");
                assertThat(REQ.get()).isEqualTo("r-1");
            }
            worker.assertRestored("after task that set");
        }

        @Test
        void capturedAtSubmission_laterSetNotSeen_P2() throws Exception {
            AtomicReference<String> seen = new AtomicReference<>();
            try (Token<String> t = REQ.set("at-submit")) {
                handOff(() -> {
                    seen.set(REQ.orElse("none"));
                    return null;
                });
            }
            assertThat(seen.get()).isEqualTo("at-submit");
        }

        @Test
        void taskThrows_workerRestored_P2() {
            try (Token<String> t = REQ.set("r-1")) {
                assertThatThrownBy(() -> handOff(() -> {
                    REQ.set("before-throw");
                    throw new IllegalStateException("boom");
                })).hasStackTraceContaining("boom");
            }
            worker.assertRestored("after throwing task");
        }

        @Test
        void taskThrowsError_workerRestored_P2() {
            assertThatThrownBy(() -> handOff(() -> {
                REQ.set("before-error");
                throw new AssertionError("error in task");
            })).hasStackTraceContaining("error in task");
            worker.assertRestored("after task throwing an Error");
        }

        @Test
        void taskLeavesScopeOpen_workerRepaired_P2() {
            Context other = new Context();
            CountDownLatch exited = new CountDownLatch(1);
            // the task itself returns normally; the wrapper then fails it with "is still entered"
            // (visible to Future/Callable hand-offs; runnable hand-offs here only see the return)
            catchThrowable(() -> handOff(() -> {
                other.enter();
                return null;
            }));
            worker.onWorker(() -> {
                exited.countDown();
                return null;
            });
            assertThat(exited.getCount()).isZero();
            assertThat(other.isEntered()).isFalse();
            worker.assertRestored("after task leaving a scope open");
        }

        @Test
        void emptySubmitter_taskSeesEmptyContext_P2() throws Exception {
            assertThat(this.<Integer>handOff(() -> Context.copyCurrent().size())).isZero();
            worker.assertRestored("after empty task");
        }
    }

    @Nested
    class Execute extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            CompletableFuture<V> result = new CompletableFuture<>();
            wrapped().execute(() -> complete(result, task));
            return unwrap(result);
        }
    }

    @Nested
    class PlainExecutorExecute extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            CompletableFuture<V> result = new CompletableFuture<>();
            Executor e = ContextExecutors.wrap((Executor) worker.raw);
            e.execute(() -> complete(result, task));
            return unwrap(result);
        }
    }

    @Nested
    class SubmitRunnable extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            AtomicReference<V> out = new AtomicReference<>();
            Future<?> f = wrapped().submit(() -> {
                try {
                    out.set(task.call());
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            f.get(10, TimeUnit.SECONDS);
            return out.get();
        }
    }

    @Nested
    class SubmitRunnableWithResult extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            List<V> out = new ArrayList<>();
            Future<List<V>> f = wrapped().submit(() -> {
                try {
                    out.add(task.call());
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, out);
            return f.get(10, TimeUnit.SECONDS).get(0);
        }
    }

    @Nested
    class SubmitCallable extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            return wrapped().submit(task).get(10, TimeUnit.SECONDS);
        }

        @Test
        void taskLeavesScopeOpen_futureFailsWithStillEntered_P2() {
            Context other = new Context();
            assertThatThrownBy(() -> handOff(() -> other.enter()))
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class)
                    .hasStackTraceContaining("is still entered");
            worker.assertRestored("after task leaving a scope open");
        }
    }

    @Nested
    class InvokeAll extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            return wrapped().invokeAll(List.of(task)).get(0).get();
        }

        @Test
        void eachTaskItsOwnCopy_P2() throws Exception {
            try (Token<String> t = REQ.set("shared")) {
                Callable<String> setAndRead = () -> {
                    String before = REQ.get();
                    REQ.set(before + "+" + Thread.currentThread().getName());
                    return before;
                };
                for (Future<String> f : wrapped().invokeAll(List.of(setAndRead, setAndRead, setAndRead))) {
                    assertThat(f.get()).isEqualTo("shared");
                }
            }
        }
    }

    @Nested
    class InvokeAllWithTimeout extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            return wrapped().invokeAll(List.of(task), 10, TimeUnit.SECONDS).get(0).get();
        }
    }

    @Nested
    class InvokeAny extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            return wrapped().invokeAny(List.of(task));
        }
    }

    @Nested
    class InvokeAnyWithTimeout extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            return wrapped().invokeAny(List.of(task), 10, TimeUnit.SECONDS);
        }
    }

    @Nested
    class ScheduleRunnable extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            CompletableFuture<V> result = new CompletableFuture<>();
            ContextExecutors.wrap((ScheduledExecutorService) worker.raw)
                    .schedule(() -> complete(result, task), 1, TimeUnit.MILLISECONDS);
            return unwrap(result);
        }
    }

    @Nested
    class ScheduleCallable extends HandOff {
        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            return ContextExecutors.wrap((ScheduledExecutorService) worker.raw)
                    .schedule(task, 1, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
        }
    }

    /** Periodic tasks: every run starts from a fresh copy of the context at scheduling (P2). */
    abstract class Periodic extends HandOff {
        abstract ScheduledFuture<?> schedule(ScheduledExecutorService s, Runnable r);

        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            CompletableFuture<V> result = new CompletableFuture<>();
            ScheduledFuture<?> f = schedule(ContextExecutors.wrap((ScheduledExecutorService) worker.raw),
                    () -> {
                        complete(result, task);
                        throw new CancellationException("one run is enough");
                    });
            try {
                return unwrap(result);
            } finally {
                f.cancel(false);
            }
        }

        @Test
        void eachRun_freshCopyOfScheduleTimeContext_P2() throws Exception {
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch three = new CountDownLatch(3);
            ScheduledFuture<?> f;
            try (Token<String> t = REQ.set("scheduled")) {
                f = schedule(ContextExecutors.wrap((ScheduledExecutorService) worker.raw), () -> {
                    seen.add(REQ.get());
                    REQ.set("run-" + seen.size());
                    three.countDown();
                });
            }
            assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
            f.cancel(false);
            assertThat(seen.subList(0, 3)).containsOnly("scheduled");
            worker.assertRestored("after periodic runs");
        }
    }

    @Nested
    class ScheduleAtFixedRate extends Periodic {
        @Override
        ScheduledFuture<?> schedule(ScheduledExecutorService s, Runnable r) {
            return s.scheduleAtFixedRate(r, 0, 1, TimeUnit.MILLISECONDS);
        }
    }

    @Nested
    class ScheduleWithFixedDelay extends Periodic {
        @Override
        ScheduledFuture<?> schedule(ScheduledExecutorService s, Runnable r) {
            return s.scheduleWithFixedDelay(r, 0, 1, TimeUnit.MILLISECONDS);
        }
    }

    @Nested
    class FixedContext extends HandOff {
        final Context fixed = new Context();

        @Override
        ExecutorService wrapped() {
            return ContextExecutors.wrap((ScheduledExecutorService) worker.raw, fixed);
        }

        @Override
        <V> V handOff(Callable<V> task) throws Exception {
            // the submitter's value must not matter: copy it into the fixed context instead
            String submitterValue = REQ.orElse(null);
            AtomicReference<Token<String>> holder = new AtomicReference<>();
            if (submitterValue != null) {
                fixed.run(() -> holder.set(REQ.set(submitterValue)));
            }
            try (Token<String> ignored = REQ.set("submitter-only")) {
                return wrapped().submit(task).get(10, TimeUnit.SECONDS);
            } finally {
                if (holder.get() != null) {
                    fixed.run(() -> REQ.reset(holder.get()));
                }
            }
        }

        @Test
        void fixedContext_submitterIgnored_fixedUnchanged_P2() throws Exception {
            Context ctx = new Context();
            ctx.run(() -> REQ.set("fixed"));
            ExecutorService e = ContextExecutors.wrap((ExecutorService) worker.raw, ctx);
            try (Token<String> t = REQ.set("submitter")) {
                assertThat(e.submit(() -> {
                    String v = REQ.get();
                    REQ.set("task");
                    return v;
                }).get()).isEqualTo("fixed");
            }
            assertThat(ctx.get(REQ)).isEqualTo("fixed");
            Executor plain = ContextExecutors.wrap((Executor) worker.raw, ctx);
            CompletableFuture<String> r = new CompletableFuture<>();
            plain.execute(() -> r.complete(REQ.get()));
            assertThat(r.get()).isEqualTo("fixed");
            worker.assertRestored("after fixed-context tasks");
        }
    }

    @Nested
    class CancellationAndInterruption {

        @Test
        void submit_cancelledWhileRunning_workerRestored_P2() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            Future<?> f;
            try (Token<String> t = REQ.set("r-cancel")) {
                f = ContextExecutors.wrap((ExecutorService) worker.raw).submit(() -> {
                    REQ.set("inside");
                    started.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        ended.countDown();
                    }
                });
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cancel(true)).isTrue();
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
            worker.assertRestored("after cancelled task");
        }

        @Test
        void submit_cancelledBeforeStart_neverRuns_workerRestored_P2() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService e = ContextExecutors.wrap((ExecutorService) worker.raw);
            Future<?> blocker = e.submit(() -> {
                release.await();
                return null;
            });
            AtomicReference<String> ran = new AtomicReference<>();
            Future<?> queued;
            try (Token<String> t = REQ.set("queued")) {
                queued = e.submit(() -> ran.set(REQ.get()));
            }
            assertThat(queued.cancel(true)).isTrue();
            release.countDown();
            blocker.get(10, TimeUnit.SECONDS);
            assertThat(ran.get()).isNull();
            worker.assertRestored("after cancelled-before-start task");
        }

        @Test
        void execute_interruptedTask_workerRestored_P2() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
            AtomicReference<Thread> runner = new AtomicReference<>();
            ContextExecutors.wrap((Executor) worker.raw).execute(() -> {
                REQ.set("will-be-interrupted");
                runner.set(Thread.currentThread());
                started.countDown();
                try {
                    Thread.sleep(60_000);
                    interrupted.complete(false);
                } catch (InterruptedException e) {
                    interrupted.complete(true);
                    throw new IllegalStateException("interrupted", e);
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            runner.get().interrupt();
            assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
            worker.assertRestored("after interrupted task");
        }
    }

    @Nested
    class Lifecycle {

        @Test
        void shutdownMethods_delegate() throws Exception {
            ExecutorService raw = java.util.concurrent.Executors.newSingleThreadExecutor();
            ExecutorService e = ContextExecutors.wrap(raw);
            CountDownLatch release = new CountDownLatch(1);
            e.submit(() -> {
                release.await();
                return null;
            });
            e.submit(() -> { });
            assertThat(e.isShutdown()).isFalse();
            List<Runnable> pending = e.shutdownNow();
            assertThat(pending).hasSize(1);
            assertThat(raw.isShutdown()).isTrue();
            assertThat(e.isShutdown()).isTrue();
            assertThat(e.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(e.isTerminated()).isTrue();
            ExecutorService s = ContextExecutors.wrap(java.util.concurrent.Executors.newSingleThreadExecutor());
            s.shutdown();
            assertThat(s.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        @Test
        void nullArguments_S9() {
            assertThatThrownBy(() -> ContextExecutors.wrap((ExecutorService) null)).hasMessage("executor");
            assertThatThrownBy(() -> ContextExecutors.wrap(worker.raw, null)).hasMessage("context");
            assertThatThrownBy(() -> ContextExecutors.wrap((ExecutorService) worker.raw).execute(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("task");
            assertThatThrownBy(() -> ContextExecutors.wrap((ExecutorService) worker.raw).invokeAll(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("tasks");
        }
    }

    static <V> void complete(CompletableFuture<V> result, Callable<V> task) {
        try {
            result.complete(task.call());
        } catch (Throwable t) {
            result.completeExceptionally(t);
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
        }
    }

    static <V> V unwrap(CompletableFuture<V> result) throws Exception {
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ExecutionException("task failed", e.getCause());
        }
    }

    @Test
    void taskLeavesScopeOpenAndThrows_ownExceptionSurfacesWithLeakSuppressed_P2() throws Exception {
        try (Worker worker = new Worker()) {
            ExecutorService pool = ContextExecutors.wrap((ExecutorService) worker.raw);
            Future<String> f = pool.submit(() -> {
                new Context().enter();                                 // never closed
                throw new IllegalArgumentException("task failed");
            });
            Throwable failure = catchThrowable(() -> f.get(10, TimeUnit.SECONDS));
            assertThat(failure).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("task failed");
            assertThat(failure.getCause().getSuppressed()).singleElement()
                    .isInstanceOf(IllegalStateException.class)
                    .satisfies(e -> assertThat(e).hasMessageContaining("is still entered; it was exited by force"));
            worker.assertRestored("after a task that left a scope open and threw");
        }
    }
}
