package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * P2 with the agent: plain {@code ThreadPoolExecutor}s and {@code ScheduledThreadPoolExecutor}s,
 * never wrapped, behave as {@code ContextExecutors.wrap} does: every method, crossed with every
 * way a task ends; each task in its own copy of the submitter's context; the worker left as it was.
 */
@ExtendWith(ContextLeakGuard.class)
class ThreadPoolExecutorAgentTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    private final Unpropagated.Threads threads = new Unpropagated.Threads();
    /** One worker, so that the probe after a task runs on the thread the task ran on. */
    private final ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, threads);
    private final ThreadPoolExecutor plain = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), threads);

    @AfterEach
    void shutDown() throws InterruptedException {
        pool.shutdownNow();
        plain.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(plain.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    enum Ending { RETURNS, THROWS, ERRORS }

    enum Method {
        EXECUTE, SUBMIT_RUNNABLE, SUBMIT_RUNNABLE_RESULT, SUBMIT_CALLABLE, INVOKE_ALL, INVOKE_ALL_TIMEOUT,
        INVOKE_ANY, INVOKE_ANY_TIMEOUT, SCHEDULE_RUNNABLE, SCHEDULE_CALLABLE, SCHEDULED_EXECUTE, SCHEDULED_SUBMIT
    }

    /** A task that reports what it sees, sets a value it never resets, then ends as told. */
    private static final class Task implements Runnable, Callable<String> {
        final BlockingQueue<String> seen;
        final Ending ending;

        Task(BlockingQueue<String> seen, Ending ending) {
            this.seen = seen;
            this.ending = ending;
        }

        @Override
        public String call() {
            String v = REQUEST.orElse("<none>");
            REQUEST.set("left-by-task");
            seen.add(v);
            switch (ending) {
                case THROWS -> throw new IllegalStateException("task failed on purpose");
                case ERRORS -> throw new AssertionError("task errored on purpose");
                default -> {
                    return v;
                }
            }
        }

        @Override
        public void run() {
            call();
        }
    }

    static Object[][] cases() {
        List<Object[]> all = new ArrayList<>();
        for (Method m : Method.values()) {
            for (Ending e : Ending.values()) {
                all.add(new Object[] {m, e});
            }
        }
        return all.toArray(new Object[0][]);
    }

    @ParameterizedTest(name = "P2: {0} of a task that {1}: runs in the submitter's context, worker left clean")
    @org.junit.jupiter.params.provider.MethodSource("cases")
    void method_taskEnds_submittersContextAndCleanWorker(Method method, Ending ending) throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Task task = new Task(seen, ending);
        try (Token<String> t = REQUEST.set("r-" + method + "-" + ending)) {
            handOver(method, task);
        } catch (Exception | AssertionError expected) {
            // the task's own failure, as the method reports it
        }
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("r-" + method + "-" + ending);
        ExecutorService worker = method.name().startsWith("SCHEDULE") ? pool : plain;
        assertThat(Unpropagated.workerOf(worker)).as("worker's own context after the task").isEmpty();
        assertThat(REQUEST.orElse(null)).as("the submitter's context after the task").isNull();
        if (method == Method.EXECUTE && ending != Ending.RETURNS) {
            // a task handed to execute() that throws ends its worker: the exception is the task's,
            // handed to the dying worker's handler once the pool has let it go
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (threads.uncaught().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(threads.uncaught()).singleElement().isInstanceOf(
                    ending == Ending.THROWS ? IllegalStateException.class : AssertionError.class);
        } else {
            assertThat(threads.uncaught()).isEmpty();
        }
    }

    private void handOver(Method method, Task task) throws Exception {
        switch (method) {
            case EXECUTE -> plain.execute(task);
            case SUBMIT_RUNNABLE -> plain.submit((Runnable) task).get(10, TimeUnit.SECONDS);
            case SUBMIT_RUNNABLE_RESULT -> plain.submit(task, "done").get(10, TimeUnit.SECONDS);
            case SUBMIT_CALLABLE -> plain.submit((Callable<String>) task).get(10, TimeUnit.SECONDS);
            case INVOKE_ALL -> plain.invokeAll(List.of(task)).get(0).get();
            case INVOKE_ALL_TIMEOUT -> plain.invokeAll(List.of(task), 10, TimeUnit.SECONDS).get(0).get();
            case INVOKE_ANY -> plain.invokeAny(List.of(task));
            case INVOKE_ANY_TIMEOUT -> plain.invokeAny(List.of(task), 10, TimeUnit.SECONDS);
            case SCHEDULE_RUNNABLE -> pool.schedule((Runnable) task, 1, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
            case SCHEDULE_CALLABLE -> pool.schedule((Callable<String>) task, 1, TimeUnit.MILLISECONDS)
                    .get(10, TimeUnit.SECONDS);
            case SCHEDULED_EXECUTE -> pool.execute(task);
            case SCHEDULED_SUBMIT -> pool.submit((Callable<String>) task).get(10, TimeUnit.SECONDS);
            default -> throw new IllegalArgumentException(method.name());
        }
    }

    @ParameterizedTest(name = "P2: a periodic task ({0}) starts every run from a fresh copy of the scheduling context")
    @EnumSource(names = {"AT_FIXED_RATE", "WITH_FIXED_DELAY"})
    void schedulePeriodic_eachRun_freshCopy(Period period) throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Runnable task = () -> {
            seen.add(REQUEST.orElse("<none>"));
            REQUEST.set("set-by-an-earlier-run");
        };
        ScheduledFuture<?> f;
        try (Token<String> t = REQUEST.set("tick")) {
            f = period == Period.AT_FIXED_RATE
                    ? pool.scheduleAtFixedRate(task, 0, 5, TimeUnit.MILLISECONDS)
                    : pool.scheduleWithFixedDelay(task, 0, 5, TimeUnit.MILLISECONDS);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("tick");
        }
        f.cancel(false);
        assertThat(Unpropagated.workerOf(pool)).isEmpty();
    }

    enum Period { AT_FIXED_RATE, WITH_FIXED_DELAY }

    @Test
    @DisplayName("P2: a task cancelled before it starts never touches the worker")
    void submit_cancelledBeforeStart_neverRunsWorkerClean() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        plain.execute(() -> await(gate));
        Future<?> f;
        try (Token<String> t = REQUEST.set("cancelled")) {
            f = plain.submit(() -> REQUEST.set("never"));
        }
        assertThat(f.cancel(false)).isTrue();
        gate.countDown();
        assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
        assertThat(Unpropagated.workerOf(plain)).isEmpty();
    }

    @Test
    @DisplayName("P2: a task interrupted while it runs leaves the worker clean")
    void submit_interruptedWhileRunning_workerClean() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Future<?> f;
        try (Token<String> t = REQUEST.set("interrupted")) {
            f = plain.submit(() -> {
                seen.add(REQUEST.get());
                REQUEST.set("left-by-interrupted-task");
                running.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        f.cancel(true);
        assertThat(seen.poll()).isEqualTo("interrupted");
        assertThat(Unpropagated.workerOf(plain)).isEmpty();
    }

    @Test
    @DisplayName("P2: work our wrappers already wrapped is not wrapped again")
    void execute_throughContextExecutors_notWrappedTwice() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        plain.execute(() -> await(gate));
        ExecutorService wrapped = ContextExecutors.wrap(plain);
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (Token<String> t = REQUEST.set("once")) {
            wrapped.execute(() -> seen.add(REQUEST.get()));
        }
        assertThat(plain.getQueue()).singleElement()
                .extracting(r -> r.getClass().getName()).isEqualTo("org.contextvars4j.ContextRunnable");
        gate.countDown();
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("once");
    }

    @Test
    @DisplayName("shutdownNow() and remove(task) see the application's own runnables")
    void shutdownNowAndRemove_applicationsRunnables() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        plain.execute(() -> await(gate));
        Runnable first = () -> { };
        Runnable second = () -> { };
        try (Token<String> t = REQUEST.set("queued")) {
            plain.execute(first);
            plain.execute(second);
        }
        assertThat(plain.remove(first)).isTrue();
        assertThat(plain.shutdownNow()).containsExactly(second);
        gate.countDown();
    }

    @Test
    @DisplayName("an ExecutorCompletionService task runs in its submitter's context, captured once")
    void completionService_submit_capturedOnceInSubmittersContext() throws Exception {
        java.util.concurrent.ExecutorCompletionService<String> service =
                new java.util.concurrent.ExecutorCompletionService<>(plain);
        try (Token<String> t = REQUEST.set("completion")) {
            service.submit(() -> REQUEST.get());
        }
        assertThat(service.take().get(10, TimeUnit.SECONDS)).isEqualTo("completion");
        // an excluded task keeps the worker's own context, also inside the service's wrapper
        try (Token<String> t = REQUEST.set("not-for-the-probe")) {
            service.submit(new Unpropagated());
        }
        assertThat(service.take().get(10, TimeUnit.SECONDS)).isEmpty();
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Also: a pool created by a library through Executors, never seen by the application's code. */
    @Test
    @DisplayName("P2: a pool a library creates through Executors is covered too")
    void executorsFactory_libraryPool_propagates() throws Exception {
        ScheduledExecutorService library = Executors.newSingleThreadScheduledExecutor();
        try (Token<String> t = REQUEST.set("library")) {
            assertThat(library.submit(() -> REQUEST.get()).get(10, TimeUnit.SECONDS)).isEqualTo("library");
        } finally {
            library.shutdown();
        }
    }
}
