package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-scope memoization: once per key per scope, isolation, nulls, failures, bound, recursion. */
@ExtendWith(ContextLeakGuard.class)
class ScopedMemoizerTest extends ScopePoolTestBase {

    ScopedMemoizerTest() {
        super(CALLERS);
    }

    static final int CALLERS = 16;

    /** Computations per (scope, key); the test's own count, never a timing. */
    final Map<String, AtomicInteger> computations = new ConcurrentHashMap<>();

    private String scopeId() {
        return RequestScope.current().orElseThrow().toString();
    }

    private int count(String scope, Object key) {
        AtomicInteger n = computations.get(scope + "/" + key);
        return n == null ? 0 : n.get();
    }

    @Test
    @DisplayName("a hit returns the scope's result; two scopes never share one")
    void apply_sameScopeHits_otherScopeComputesItsOwn() {
        ScopedMemoizer<Integer, Object> memo = ScopedMemoizer.of("objects", k -> new Object());
        AtomicReference<Object> first = new AtomicReference<>();
        RequestScope.run(() -> {
            first.set(memo.apply(1));
            assertThat(memo.apply(1)).isSameAs(first.get());
            assertThat(memo.apply(2)).isNotSameAs(first.get());
        });
        RequestScope.run(() -> assertThat(memo.apply(1)).isNotSameAs(first.get()));
    }

    @Test
    @DisplayName("16 concurrent callers of one scope, 200 keys, 50 scopes: exactly one computation per key per scope")
    void apply_concurrentCallersOfOneScope_computeEachKeyOnce() throws Exception {
        ScopedMemoizer<Integer, String> memo = ScopedMemoizer.of("slow", key -> {
            String scope = scopeId();
            computations.computeIfAbsent(scope + "/" + key, s -> new AtomicInteger()).incrementAndGet();
            Thread.yield();
            return scope + ":" + key;
        });
        for (int round = 0; round < 50; round++) {
            RequestScope.call(() -> {
                String scope = scopeId();
                CyclicBarrier start = new CyclicBarrier(CALLERS);
                List<Future<?>> callers = new ArrayList<>();
                for (int c = 0; c < CALLERS; c++) {
                    callers.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        for (int key = 0; key < 200; key++) {
                            assertThat(memo.apply(key)).isEqualTo(scope + ":" + key);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : callers) {
                    f.get(60, TimeUnit.SECONDS);
                }
                for (int key = 0; key < 200; key++) {
                    assertThat(count(scope, key)).as("computations of key %s in %s", key, scope).isEqualTo(1);
                }
                return null;
            });
        }
        assertThat(computations).hasSize(50 * 200);
    }

    @Test
    @DisplayName("a cache first touched inside an executor task is the scope's cache (the naive per_context_memoize trap)")
    void apply_firstTouchedInExecutorTask_sharedWithRestOfScope() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ScopedMemoizer<String, Integer> memo = ScopedMemoizer.of("first_in_task", k -> calls.incrementAndGet());
        RequestScope.call(() -> {
            Integer inTask = pool.submit(() -> memo.apply("k")).get();
            assertThat(memo.apply("k")).isEqualTo(inTask);
            assertThat(ContextCompletableFuture.supplyAsync(() -> memo.apply("k"), pool).get()).isEqualTo(inTask);
            return null;
        });
        assertThat(calls).hasValue(1);
    }

    @Test
    void apply_nullResultCached_nullKeyAllowed_exceptionNotCached() {
        AtomicInteger calls = new AtomicInteger();
        ScopedMemoizer<String, String> memo = ScopedMemoizer.of("nulls", k -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("first try of " + k + " fails");
            }
            return null;
        });
        RequestScope.run(() -> {
            assertThat(memo.apply(null)).isNull();
            assertThat(memo.apply(null)).isNull();
            assertThat(calls).hasValue(1);
            assertThatThrownBy(() -> memo.apply("x")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("first try of x fails");
            assertThat(memo.apply("x")).isNull();
            assertThat(memo.apply("x")).isNull();
            assertThat(calls).hasValue(3);
        });
    }

    @Test
    @DisplayName("at the bound, kept results stay stable and new keys are computed on every call")
    void apply_atBound_keepsOldResults_computesNewKeysEveryCall() {
        AtomicInteger calls = new AtomicInteger();
        ScopedMemoizer<Integer, Integer> memo = ScopedMemoizer.of("bounded", 3, k -> calls.incrementAndGet());
        RequestScope.run(() -> {
            assertThat(List.of(memo.apply(1), memo.apply(2), memo.apply(3))).containsExactly(1, 2, 3);
            assertThat(memo.apply(4)).isEqualTo(4);
            assertThat(memo.apply(4)).isEqualTo(5);
            assertThat(List.of(memo.apply(1), memo.apply(2), memo.apply(3))).containsExactly(1, 2, 3);
        });
        assertThat(calls).hasValue(5);
    }

    @Test
    @DisplayName("re-entrant use for other keys works; recursion on the same key fails fast and caches nothing")
    void apply_reentrantOtherKey_works_sameKeyRecursion_refused() {
        AtomicReference<Function<Integer, Long>> self = new AtomicReference<>();
        ScopedMemoizer<Integer, Long> fib = ScopedMemoizer.of("fib", n -> n < 2 ? (long) n : self.get().apply(n - 1) + self.get().apply(n - 2));
        self.set(fib);
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Function<Integer, Integer>> loop = new AtomicReference<>();
        ScopedMemoizer<Integer, Integer> recursive = ScopedMemoizer.of("loop", n -> {
            calls.incrementAndGet();
            return loop.get().apply(n);
        });
        loop.set(recursive);
        RequestScope.run(() -> {
            assertThat(fib.apply(90)).isEqualTo(2880067194370816120L);
            assertThatThrownBy(() -> recursive.apply(7)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("recursive call of ScopedMemoizer[loop] for key 7: its computation asked for the same key");
            assertThatThrownBy(() -> recursive.apply(7)).isInstanceOf(IllegalStateException.class);
        });
        assertThat(calls).hasValue(2);
    }

    @Test
    @DisplayName("outside a scope and after the scope ended: refused, naming the memoizer, nothing computed")
    void apply_outsideScopeOrAfterEnd_refused() {
        AtomicInteger calls = new AtomicInteger();
        ScopedMemoizer<String, Integer> memo = ScopedMemoizer.of("user_by_id", k -> calls.incrementAndGet());
        assertThatThrownBy(() -> memo.apply("k")).isInstanceOf(IllegalStateException.class)
                .hasMessage("ScopedMemoizer[user_by_id] used outside a request scope: open one with RequestScope.run, call or open");
        AtomicReference<Context> escaped = new AtomicReference<>();
        RequestScope.run(() -> {
            memo.apply("k");
            escaped.set(Context.copyCurrent());
        });
        escaped.get().run(() -> assertThatThrownBy(() -> memo.apply("k")).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("ScopedMemoizer\\[user_by_id] used after RequestScope\\[#[0-9a-f]+, ended] has ended"));
        assertThat(calls).hasValue(1);
    }

    @Test
    @DisplayName("more memoizers than direct slots (RequestScope.DIRECT): each still computes once per scope, isolated")
    void apply_manyMemoizers_directSlotsAndMapEntries_sameContract() {
        AtomicInteger calls = new AtomicInteger();
        List<ScopedMemoizer<Integer, Integer>> memoizers = new ArrayList<>();
        for (int i = 0; i < RequestScope.DIRECT + 8; i++) {
            memoizers.add(ScopedMemoizer.of("m" + i, k -> calls.incrementAndGet()));
        }
        List<Integer> first = new ArrayList<>();
        RequestScope.run(() -> {
            for (ScopedMemoizer<Integer, Integer> m : memoizers) {
                first.add(m.apply(1));
            }
            for (int i = 0; i < memoizers.size(); i++) {
                assertThat(memoizers.get(i).apply(1)).isEqualTo(first.get(i));
            }
        });
        RequestScope.run(() -> {
            for (int i = 0; i < memoizers.size(); i++) {
                assertThat(memoizers.get(i).apply(1)).isNotEqualTo(first.get(i));
            }
        });
        assertThat(calls).hasValue(2 * memoizers.size());
    }

    @Test
    void of_refusals() {
        assertThatThrownBy(() -> ScopedMemoizer.of(null, k -> k)).isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> ScopedMemoizer.of("m", null)).isInstanceOf(NullPointerException.class).hasMessage("function");
        assertThatThrownBy(() -> ScopedMemoizer.of("m", 0, k -> k)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be at least 1, not 0");
        assertThatThrownBy(() -> ScopedAsyncMemoizer.of("m", -1, k -> null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be at least 1, not -1");
    }

    @Test
    @DisplayName("async: concurrent callers share one in-flight computation; each gets its own future")
    void async_concurrentCallers_shareOneInFlightComputation() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> gate = new CompletableFuture<>();
        ScopedAsyncMemoizer<String, String> quote = ScopedAsyncMemoizer.of("quote", symbol -> {
            calls.incrementAndGet();
            return gate.thenApply(g -> symbol + "@" + g);
        });
        RequestScope.call(() -> {
            CountDownLatch asked = new CountDownLatch(CALLERS);
            List<Future<CompletableFuture<String>>> callers = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                callers.add(pool.submit(() -> {
                    CompletableFuture<String> f = quote.apply("ACME");
                    asked.countDown();
                    return f;
                }));
            }
            assertThat(asked.await(30, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<String>> futures = new ArrayList<>();
            for (Future<CompletableFuture<String>> f : callers) {
                futures.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(futures).noneMatch(CompletableFuture::isDone);
            futures.get(0).cancel(false);
            gate.complete("100");
            for (CompletableFuture<String> f : futures.subList(1, futures.size())) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("ACME@100");
            }
            assertThat(quote.apply("ACME").get(30, TimeUnit.SECONDS)).isEqualTo("ACME@100");
            return null;
        });
        assertThat(calls).hasValue(1);
    }

    @Test
    @DisplayName("async: a failed computation is shared by its callers, then dropped: the next call computes again")
    void async_failure_notCached() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ScopedAsyncMemoizer<String, String> memo = ScopedAsyncMemoizer.of("flaky", k -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                return CompletableFuture.failedFuture(new IllegalStateException("down"));
            }
            if (n == 2) {
                throw new IllegalArgumentException("thrown, not returned");
            }
            return CompletableFuture.completedFuture(k + n);
        });
        RequestScope.call(() -> {
            assertThat(catchThrowable(() -> memo.apply("k").join())).hasRootCauseMessage("down");
            assertThat(catchThrowable(() -> memo.apply("k").join())).hasRootCauseMessage("thrown, not returned");
            assertThat(memo.apply("k").get()).isEqualTo("k3");
            assertThat(memo.apply("k").get()).isEqualTo("k3");
            return null;
        });
        assertThat(calls).hasValue(3);
    }

    @Test
    @DisplayName("async: a caller that retries right after join() failed starts a new computation (3,000 tries, failures completed on another thread)")
    void async_retryRightAfterFailure_computesAgain() throws Exception {
        Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        ScopedAsyncMemoizer<Integer, String> memo = ScopedAsyncMemoizer.of("flaky_remote", k -> {
            int n = calls.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            return n == 1
                    ? CompletableFuture.supplyAsync(() -> {
                        throw new IllegalStateException("down " + k);
                    }, pool)
                    : CompletableFuture.completedFuture("up " + k);
        });
        int tries = 3_000;
        int[] stale = {0};
        RequestScope.run(() -> {
            for (int k = 0; k < tries; k++) {
                CompletableFuture<String> first = memo.apply(k);
                assertThat(catchThrowable(first::join)).hasRootCauseMessage("down " + k);
                CompletableFuture<String> retry = memo.apply(k);
                if (catchThrowable(retry::join) != null) {
                    stale[0]++;
                }
            }
        });
        assertThat(stale[0]).as("retries that got the old failure back, of %d", tries).isZero();
        assertThat(calls.values()).allSatisfy(n -> assertThat(n).hasValue(2));
    }

    @Test
    void async_recursionWhileStarting_refused() throws Exception {
        AtomicReference<Function<String, CompletableFuture<String>>> self = new AtomicReference<>();
        ScopedAsyncMemoizer<String, String> memo = ScopedAsyncMemoizer.of("async_loop", k -> self.get().apply(k));
        self.set(memo);
        RequestScope.run(() -> assertThat(catchThrowable(() -> memo.apply("k").join()))
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage("recursive call of ScopedAsyncMemoizer[async_loop] for key k: its function asked for the same key"));
    }
}
