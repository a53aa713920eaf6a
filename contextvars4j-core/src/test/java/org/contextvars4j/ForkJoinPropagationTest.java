package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** P5: ForkJoinPool tasks and the common pool; parallel streams and their supported alternative. */
@ExtendWith(ContextLeakGuard.class)
class ForkJoinPropagationTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    static void assertCommonPoolClean() throws Exception {
        ForkJoinPool.commonPool().submit(() -> ContextLeakGuard.assertThreadClean("common pool")).get(10, TimeUnit.SECONDS);
    }

    @Test
    void commonPool_submit_valueArrives_workerClean_P5() throws Exception {
        try (Token<String> t = REQ.set("common")) {
            Future<String> f = ContextExecutors.commonPool().submit(() -> {
                String v = REQ.get();
                REQ.set("task");
                return v + ":" + (Thread.currentThread() instanceof ForkJoinWorkerThread);
            });
            assertThat(f.get(10, TimeUnit.SECONDS)).startsWith("common:");
            assertThat(REQ.get()).isEqualTo("common");
        }
        assertThat(ContextExecutors.commonPool()).isSameAs(ContextExecutors.commonPool());
        assertCommonPoolClean();
    }

    @Test
    void forkJoinPool_invokeAll_eachTaskOwnCopy_workersClean_P5() throws Exception {
        ForkJoinPool raw = new ForkJoinPool(2);
        try {
            ExecutorService pool = ContextExecutors.wrap(raw);
            List<Callable<String>> tasks = IntStream.range(0, 50).<Callable<String>>mapToObj(i -> () -> {
                String v = REQ.get();
                REQ.set("task-" + i);
                return v;
            }).collect(Collectors.toList());
            try (Token<String> t = REQ.set("fjp")) {
                for (Future<String> f : pool.invokeAll(tasks)) {
                    assertThat(f.get()).isEqualTo("fjp");
                }
            }
            for (int i = 0; i < 4; i++) {
                raw.submit(() -> ContextLeakGuard.assertThreadClean("fork-join worker")).get(10, TimeUnit.SECONDS);
            }
        } finally {
            raw.shutdown();
            assertThat(raw.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Documents the limitation: elements of a parallel stream that run on pool workers do not see
     * the caller's context (those run by the caller itself do). See docs/propagation.md.
     */
    @Test
    void parallelStream_workersDoNotSeeCallerContext_documented_P5() throws Exception {
        try (Token<String> t = REQ.set("caller")) {
            Thread caller = Thread.currentThread();
            List<String> seen = IntStream.range(0, 2_000).parallel()
                    .mapToObj(i -> (Thread.currentThread() == caller ? "caller:" : "worker:") + REQ.orElse("none"))
                    .distinct().collect(Collectors.toList());
            assertThat(seen).allMatch(s -> s.equals("caller:caller") || s.equals("worker:none"));
        }
        assertCommonPoolClean();
    }

    /** The supported alternative: capture once, run each element's work in a copy of the snapshot. */
    @Test
    void parallelStream_withCapturedSnapshot_everyElementSeesCallerContext_P5() throws Exception {
        try (Token<String> t = REQ.set("caller")) {
            Context snapshot = Context.copyCurrent();
            List<String> seen = IntStream.range(0, 2_000).parallel()
                    .mapToObj(i -> inContext(snapshot, () -> {
                        String v = REQ.orElse("none");
                        REQ.set("element-" + i);     // stays in this element's copy
                        return v;
                    }))
                    .distinct().collect(Collectors.toList());
            assertThat(seen).containsExactly("caller");
            assertThat(REQ.get()).isEqualTo("caller");
        }
        assertCommonPoolClean();
    }

    /** The helper shown in docs/propagation.md for parallel streams. */
    static <V> V inContext(Context snapshot, Callable<V> work) {
        try {
            return snapshot.wrap(work).call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
