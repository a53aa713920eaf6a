package org.contextvars4j.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Deadline and cancellation as context values, for work that is not a gRPC call. */
@ExtendWith(ContextLeakGuard.class)
class CancellationTest {

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
    }

    @Test
    void current_outsideAnyWork_neverCancelled_noDeadline() {
        Cancellation none = Cancellation.current();
        assertThat(none.isCancelled()).isFalse();
        assertThat(none.timeRemaining()).isEmpty();
        assertThat(none.cause()).isEmpty();
        assertThat(none).hasToString("Cancellation[active]");
    }

    @Test
    void withTimeout_readAfterAContextvarsHandOff_thenPasses() throws Exception {
        Cancellation job = Cancellation.current().withTimeout(Duration.ofMillis(200), scheduler);
        CountDownLatch passed = new CountDownLatch(1);
        job.grpcContext().addListener(c -> passed.countDown(), Runnable::run);
        try (Token<Cancellation> ignored = Cancellation.VAR.set(job)) {
            Future<Duration> left = ContextExecutors.wrap(pool).submit(() -> Cancellation.current().timeRemaining().orElseThrow());
            assertThat(left.get(5, TimeUnit.SECONDS)).isPositive().isLessThanOrEqualTo(Duration.ofMillis(200));
            assertThat(Cancellation.current().isCancelled()).isFalse();
        }
        assertThat(passed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(job.isCancelled()).isTrue();
        assertThat(job.cause()).containsInstanceOf(TimeoutException.class);
    }

    @Test
    void cancel_childOfCancelled_isCancelled_parentIsNot() {
        Cancellation parent = Cancellation.current().withCancellation();
        Cancellation child = parent.withCancellation();
        IllegalStateException why = new IllegalStateException("stop");
        assertThat(child.cancel(why)).isTrue();
        assertThat(child.cancel(why)).isFalse();
        assertThat(parent.isCancelled()).isFalse();
        assertThat(parent.cancel(null)).isTrue();
        assertThat(parent.withCancellation().isCancelled()).isTrue();
        assertThat(child.cause()).containsSame(why);
    }

    @Test
    void cancel_viewOfAContextMadeElsewhere_refused_nothingChanged() {
        Cancellation view = Cancellation.of(io.grpc.Context.ROOT);
        assertThatThrownBy(() -> view.cancel(null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cancellation[active] cannot be cancelled here: only withCancellation() or withTimeout() make one that can");
        assertThat(view.isCancelled()).isFalse();
    }

    @Test
    void nulls_refusedNamingTheParameter() {
        assertThatThrownBy(() -> Cancellation.of(null)).isInstanceOf(NullPointerException.class).hasMessage("context");
        assertThatThrownBy(() -> Cancellation.current().withTimeout(null, scheduler))
                .isInstanceOf(NullPointerException.class).hasMessage("timeout");
        assertThatThrownBy(() -> Cancellation.current().withTimeout(Duration.ZERO, null))
                .isInstanceOf(NullPointerException.class).hasMessage("scheduler");
        assertThatThrownBy(() -> Cancellation.cancelling(null)).isInstanceOf(NullPointerException.class).hasMessage("delegate");
    }

    @Test
    void cancelling_cancelOfTheSubmittersCancellation_interruptsTheTask_finishedOnesUntouched() throws Exception {
        ExecutorService cancelling = Cancellation.cancelling(ContextExecutors.wrap(pool));
        Cancellation job = Cancellation.current().withCancellation();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Future<?> finished;
        Future<?> endless;
        try (Token<Cancellation> ignored = Cancellation.VAR.set(job)) {
            finished = cancelling.submit(() -> "done");
            assertThat(finished.get(5, TimeUnit.SECONDS)).isEqualTo("done");
            endless = cancelling.submit(() -> {
                running.countDown();
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            });
        }
        Future<String> unbound = cancelling.submit(() -> "not bound");
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        job.cancel(null);
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(endless.isCancelled()).isTrue();
        assertThat(finished.isCancelled()).isFalse();
        assertThat(unbound.get(5, TimeUnit.SECONDS)).isEqualTo("not bound");
    }
}
