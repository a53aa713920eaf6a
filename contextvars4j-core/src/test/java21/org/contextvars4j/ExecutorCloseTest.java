package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ExecutorService.close()} (JDK 19+) on the wrappers: it delegates to the wrapped service's
 * own {@code close()}, so the common pool (which never terminates) returns at once instead of
 * looping in {@code awaitTermination} forever.
 */
@ExtendWith(ContextLeakGuard.class)
class ExecutorCloseTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    /** Runs {@code close} on a daemon thread and waits for it generously: a hang fails, not blocks. */
    private static void assertReturns(ExecutorService executor) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                executor.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "closer");
        closer.setDaemon(true);
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        boolean hung = closer.isAlive();
        if (hung) {
            closer.interrupt();   // the default close() gives up its wait on interrupt
        }
        assertThat(hung).as("close() returned").isFalse();
        assertThat(failure.get()).isNull();
    }

    @Test
    void commonPool_close_returnsAndPoolKeepsWorking_P5() throws Exception {
        assertReturns(ContextExecutors.commonPool());
        try (Token<String> t = REQ.set("after-close")) {
            assertThat(ContextExecutors.commonPool().submit(() -> REQ.get()).get(10, TimeUnit.SECONDS))
                    .isEqualTo("after-close");
        }
    }

    @Test
    void wrappedCommonPool_close_returns_P5() throws Exception {
        assertReturns(ContextExecutors.wrap(ForkJoinPool.commonPool()));
        assertThat(ForkJoinPool.commonPool().isShutdown()).isFalse();
    }

    @Test
    void wrappedPool_close_shutsDownAndWaitsForTasks() throws Exception {
        ExecutorService raw = Executors.newFixedThreadPool(2);
        ExecutorService pool = ContextExecutors.wrap(raw);
        AtomicReference<String> seen = new AtomicReference<>();
        try (Token<String> t = REQ.set("closing")) {
            pool.execute(() -> seen.set(REQ.get()));
        }
        assertReturns(pool);
        assertThat(raw.isTerminated()).isTrue();
        assertThat(seen.get()).isEqualTo("closing");
    }
}
