package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * P5 with the agent: plain {@code RecursiveTask}s forked on any worker, {@code ForkJoinPool}
 * submissions and parallel streams run in their creator's context; a subtask's set stays in its
 * own copy.
 */
@ExtendWith(ContextLeakGuard.class)
class ForkJoinAgentTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    private final ForkJoinPool pool = new ForkJoinPool(4);

    @AfterEach
    void shutDown() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Splits down to leaves of one element; each leaf records what it sees and sets a value. */
    static final class Leaves extends RecursiveTask<Integer> {
        private static final long serialVersionUID = 1L;
        final int from;
        final int to;
        final transient Set<String> seen;
        final transient Set<String> threads;

        Leaves(int from, int to, Set<String> seen, Set<String> threads) {
            this.from = from;
            this.to = to;
            this.seen = seen;
            this.threads = threads;
        }

        @Override
        protected Integer compute() {
            if (to - from == 1) {
                seen.add(REQUEST.orElse("<none>"));
                threads.add(Thread.currentThread().getName());
                REQUEST.set("set-by-leaf-" + from);
                sleepBriefly();
                return 1;
            }
            int mid = (from + to) >>> 1;
            Leaves left = new Leaves(from, mid, seen, threads);
            Leaves right = new Leaves(mid, to, seen, threads);
            invokeAll(left, right);   // forks right, runs left here: each in its own copy
            seen.add("parent after join: " + REQUEST.orElse("<none>"));
            return left.join() + right.join();
        }
    }

    @Test
    @DisplayName("P5: every forked RecursiveTask, on whichever worker, runs in a copy of its forker's context")
    void fork_plainRecursiveTask_forkersContextOnEveryWorker() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (Token<String> t = REQUEST.set("caller")) {
            assertThat(pool.invoke(new Leaves(0, 64, seen, threads))).isEqualTo(64);
        }
        assertThat(seen).containsOnly("caller", "parent after join: caller");
        assertThat(threads).as("the leaves ran on several workers").hasSizeGreaterThan(1);
    }

    @Test
    @DisplayName("P5: execute, submit and invoke on a ForkJoinPool capture at submission")
    void executeSubmitInvoke_callersContext() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (Token<String> t = REQUEST.set("submitted")) {
            assertThat(pool.submit(() -> REQUEST.get()).get(10, TimeUnit.SECONDS)).isEqualTo("submitted");
            pool.submit(() -> {
                seen.add("runnable:" + REQUEST.get());
            }).get(10, TimeUnit.SECONDS);
            pool.invoke(new RecursiveAction() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void compute() {
                    seen.add("action:" + REQUEST.get());
                }
            });
            pool.execute(() -> seen.add("execute:" + REQUEST.get()));
        }
        pool.awaitQuiescence(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactlyInAnyOrder("runnable:submitted", "action:submitted", "execute:submitted");
    }

    @Test
    @DisplayName("P5: a parallel stream runs its chunks in the caller's context")
    void parallelStream_chunksInCallersContext() throws Exception {
        List<String> seen;
        try (Token<String> t = REQUEST.set("stream")) {
            seen = pool.submit(() -> IntStream.range(0, 2_000).parallel()
                    .mapToObj(i -> {
                        sleepBriefly();
                        return REQUEST.orElse("<none>") + "@" + (Thread.currentThread().getName().contains("worker")
                                ? "worker" : "caller");
                    })
                    .distinct().collect(Collectors.toList())).get(30, TimeUnit.SECONDS);
        }
        assertThat(seen).containsOnly("stream@worker");
        Set<String> common;
        try (Token<String> t = REQUEST.set("common")) {
            common = IntStream.range(0, 200).parallel().mapToObj(i -> REQUEST.orElse("<none>"))
                    .collect(Collectors.toSet());
        }
        assertThat(common).containsOnly("common");
    }

    static void sleepBriefly() {
        try {
            Thread.sleep(0, 200_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
