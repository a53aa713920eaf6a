package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No cross-talk under load, with the agent and no wrapper anywhere: 200 concurrent requests,
 * each hopping through a shared raw pool, a plain {@code CompletableFuture} chain completed on
 * other requests' threads, and a fork/join task, see only their own id; the workers end clean.
 */
@ExtendWith(ContextLeakGuard.class)
class IsolationUnderLoadAgentTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");
    private static final int CONCURRENT = 200;
    private static final int ROUNDS = 5;

    /** A fork/join task that checks the id in every leaf. */
    static final class Check extends RecursiveTask<Integer> {
        private static final long serialVersionUID = 1L;
        private final String expected;
        private final int depth;

        Check(String expected, int depth) {
            this.expected = expected;
            this.depth = depth;
        }

        @Override
        protected Integer compute() {
            int bad = expected.equals(REQUEST.orElse(null)) ? 0 : 1;
            if (depth == 0) {
                return bad;
            }
            Check left = new Check(expected, depth - 1);
            Check right = new Check(expected, depth - 1);
            invokeAll(left, right);
            return bad + left.join() + right.join();
        }
    }

    @Test
    @DisplayName("S7/P2/P4/P5: 200 concurrent requests through raw pools, plain futures and fork/join: 0 mismatches")
    void concurrentRequests_rawPoolsFuturesForkJoin_zeroMismatches() throws Exception {
        ExecutorService server = Executors.newFixedThreadPool(CONCURRENT);
        ExecutorService backend = Executors.newFixedThreadPool(8);
        ForkJoinPool forkJoin = new ForkJoinPool(4);
        AtomicInteger mismatches = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<Void>> requests = new ArrayList<>();
                for (int i = 0; i < CONCURRENT; i++) {
                    String id = "req-" + round + "-" + i;
                    requests.add(CompletableFuture.runAsync(() -> {
                        try (Token<String> t = REQUEST.set(id)) {
                            start.await();
                            String onBackend = backend.submit(() -> {
                                REQUEST.set("scribbled-by-" + id);   // stays in the task's copy
                                return id;
                            }).get();
                            CompletableFuture<String> chain = new CompletableFuture<>();
                            CompletableFuture<String> end = chain
                                    .thenApply(v -> check(id, mismatches))
                                    .thenApplyAsync(v -> check(id, mismatches), backend)
                                    .thenCompose(v -> CompletableFuture.supplyAsync(() -> check(id, mismatches)))
                                    .whenComplete((v, e) -> check(id, mismatches));
                            backend.execute(() -> chain.complete("go"));   // completed in another context
                            end.get(30, TimeUnit.SECONDS);
                            mismatches.addAndGet(forkJoin.invoke(new Check(id, 3)));
                            if (!id.equals(onBackend) || !id.equals(REQUEST.get())) {
                                mismatches.incrementAndGet();
                            }
                            done.incrementAndGet();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, server));
                }
                start.countDown();
                CompletableFuture.allOf(requests.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            }
            assertThat(done).hasValue(CONCURRENT * ROUNDS);
            assertThat(mismatches).as("requests that saw another request's id").hasValue(0);
            ContextLeakGuard.assertPoolClean(backend, 8);
        } finally {
            server.shutdown();
            backend.shutdown();
            forkJoin.shutdown();
        }
    }

    private static String check(String id, AtomicInteger mismatches) {
        if (!id.equals(REQUEST.orElse(null))) {
            mismatches.incrementAndGet();
        }
        return id;
    }
}
