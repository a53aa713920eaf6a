package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC section 7 and P2 under load: 1,000,000 wrapped tasks on a 4-thread pool, with random
 * exceptions, errors, cancellations (before and while running), interruptions, unreset sets and
 * scopes left open. No task may see another's value, and no worker may ever hold a context it did
 * not hold before.
 *
 * <p>Unwrapped probe tasks, interleaved with the load, check each worker between tasks; a final
 * barrier makes every worker check itself. Removing the restoration in
 * {@code Propagation.exit} makes this test fail within the first thousand tasks.
 */
@ExtendWith(ContextLeakGuard.class)
class PoolStressTest {

    static final ContextVar<Integer> ID = ContextVar.of("task_id");
    static final int TASKS = 1_000_000;
    static final int THREADS = 4;

    @Test
    void millionTasks_randomFailures_workersNeverKeepAContext_P2() throws Exception {
        Semaphore inFlight = new Semaphore(4_096);   // bounds the queue; released after every task
        ThreadPoolExecutor raw = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>()) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                inFlight.release();
            }
        };
        ExecutorService pool = ContextExecutors.wrap(raw);
        LongAdder wrongValue = new LongAdder();
        LongAdder dirtyProbe = new LongAdder();
        LongAdder probes = new LongAdder();
        AtomicInteger ran = new AtomicInteger();
        Set<String> dirtyThreads = ConcurrentHashMap.newKeySet();
        SplittableRandom random = new SplittableRandom(42);
        Future<?>[] recent = new Future<?>[64];
        try {
            for (int i = 0; i < TASKS; i++) {
                int kind = random.nextInt(100);
                int id = i;
                Future<?> f;
                inFlight.acquire();
                try (Token<Integer> t = ID.set(id)) {
                    f = pool.submit(() -> {
                        ran.incrementAndGet();
                        if (ID.get() != id) {
                            wrongValue.increment();
                        }
                        ID.set(-id);                                   // never reset: stays in the copy
                        if (kind < 8) {
                            throw new IllegalStateException("random failure " + id);
                        } else if (kind < 10) {
                            throw new AssertionError("random error " + id);
                        } else if (kind < 13) {
                            Thread.currentThread().interrupt();        // self-interruption
                            Thread.sleep(1);                           // throws InterruptedException
                        } else if (kind < 14) {
                            new Context().enter();                     // scope left open: repaired, task fails
                        } else if (kind < 16) {
                            Thread.sleep(0, 50_000);                   // give cancel(true) something to interrupt
                        }
                        return id;
                    });
                }
                recent[i & 63] = f;
                if (kind >= 95) {
                    recent[random.nextInt(64)] = null;
                    Future<?> victim = recent[(i + 17) & 63];
                    if (victim != null) {
                        victim.cancel(true);                           // queued or running
                    }
                }
                if ((i & 1023) == 0) {
                    for (int p = 0; p < THREADS; p++) {
                        inFlight.acquire();
                        raw.execute(() -> {
                            probes.increment();
                            if (!ContextLeakGuard.isThreadClean()) {
                                dirtyProbe.increment();
                                dirtyThreads.add(Thread.currentThread().getName());
                            }
                        });
                    }
                }
            }
            CyclicBarrier everyWorker = new CyclicBarrier(THREADS);
            Future<?>[] finals = new Future<?>[THREADS];
            for (int p = 0; p < THREADS; p++) {
                finals[p] = raw.submit(() -> {
                    everyWorker.await(30, TimeUnit.SECONDS);
                    ContextLeakGuard.assertThreadClean("worker after 1,000,000 tasks");
                    return null;
                });
            }
            for (Future<?> f : finals) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            raw.shutdownNow();
            assertThat(raw.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(dirtyThreads).as("threads found holding a context between tasks").isEmpty();
        assertThat(dirtyProbe.sum()).isZero();
        assertThat(probes.sum()).isGreaterThan(TASKS / 1024);
        assertThat(wrongValue.sum()).as("tasks that saw another task's value").isZero();
        assertThat(ran.get()).isGreaterThan(TASKS / 2);
    }
}
