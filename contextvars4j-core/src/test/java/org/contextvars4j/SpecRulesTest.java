package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.contextvars4j.internal.VarMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One group per semantic rule of SPEC.md section 3 (S1-S11). The refusals of S5, S7, S8 and S9
 * are tested in depth in {@link RefusalTest}; here each rule's positive behaviour.
 */
@ExtendWith(ContextLeakGuard.class)
class SpecRulesTest {

    private static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");
    private static final ContextVar<String> USER = ContextVar.of("user");
    private static final ContextVar<String> WITH_DEFAULT = ContextVar.of("with_default", "dflt");

    @Nested
    @DisplayName("S1: every thread has a current context")
    class S1 {

        @Test
        void freshThread_neverEntered_seesEmptyContextAndReadsAllocateNone_S1() throws Exception {
            ContextLeakGuard.runOnNewThread("fresh thread", () -> {
                assertThat(Context.copyCurrent().isEmpty()).isTrue();
                assertThat(WITH_DEFAULT.get()).isEqualTo("dflt");
                assertThat(REQUEST_ID.orElse("fb")).isEqualTo("fb");
                assertThat(Storage.currentOrNull()).as("pure reads do not create a context").isNull();
                try (Token<String> t = REQUEST_ID.set("own")) {
                    assertThat(REQUEST_ID.get()).isEqualTo("own");
                    assertThat(Storage.currentOrNull()).isNotNull();
                }
            });
        }

        @Test
        void set_onTwoThreads_eachHasItsOwnContext_S1() throws Exception {
            try (Token<String> t = REQUEST_ID.set("main")) {
                ContextLeakGuard.runOnNewThread("fresh thread", () -> {
                    try (Token<String> t2 = REQUEST_ID.set("other")) {
                        assertThat(REQUEST_ID.get()).isEqualTo("other");
                    }
                });
                assertThat(REQUEST_ID.get()).isEqualTo("main");
            }
        }
    }

    @Nested
    @DisplayName("S2: lookup order of get")
    class S2 {

        @Test
        void get_unsetWithoutDefault_throwsNamingVar_S2() {
            new Context().run(() -> assertThatThrownBy(REQUEST_ID::get).isInstanceOf(NoSuchElementException.class)
                    .hasMessage(REQUEST_ID + " has no value in the current context")
                    .hasMessageMatching("ContextVar\\[request_id#\\d+, no default\\] has no value in the current context"));
        }

        @Test
        void get_lookupOrder_valueThenFallbackThenDefault_S2() {
            new Context().run(() -> {
                assertThat(WITH_DEFAULT.get()).isEqualTo("dflt");
                assertThat(WITH_DEFAULT.orElse("fallback")).as("orElse(T) ignores the default").isEqualTo("fallback");
                assertThat(WITH_DEFAULT.orElse(null)).isNull();
                try (Token<String> t = WITH_DEFAULT.set("value")) {
                    assertThat(WITH_DEFAULT.get()).isEqualTo("value");
                    assertThat(WITH_DEFAULT.orElse("fallback")).isEqualTo("value");
                }
                assertThat(REQUEST_ID.orElse("fallback")).isEqualTo("fallback");
            });
        }
    }

    @Nested
    @DisplayName("S3/S4: set is copy-on-write, copy is O(1)")
    class S3S4 {

        private final List<ContextVar<Integer>> thousand = new ArrayList<>();

        private Context contextWithThousandVars() {
            for (int i = 0; i < 1000; i++) {
                thousand.add(ContextVar.of("v" + i));
            }
            Context ctx = new Context();
            ctx.run(() -> {
                for (int i = 0; i < thousand.size(); i++) {
                    thousand.get(i).set(i);
                }
            });
            assertThat(ctx.size()).isEqualTo(1000);
            return ctx;
        }

        @Test
        void copy_thousandVars_sharesTheMapInstance_S4() {
            Context ctx = contextWithThousandVars();
            Context copy = ctx.copy();
            assertThat(copy).isNotSameAs(ctx);
            assertThat(copy.map()).as("copy() shares the persistent map, no per-var copying").isSameAs(ctx.map());
            ctx.run(() -> {
                Context current = Context.copyCurrent();
                assertThat(current.map()).as("copyCurrent() too").isSameAs(ctx.map());
            });
        }

        @Test
        void set_afterCopy_copyUnaffectedAndStillSharesOldMap_S3() {
            Context ctx = contextWithThousandVars();
            Context copy = ctx.copy();
            Object[] before = copy.map();
            ContextVar<Integer> v500 = thousand.get(500);
            ctx.run(() -> v500.set(-1));
            assertThat(ctx.get(v500)).isEqualTo(-1);
            assertThat(copy.get(v500)).isEqualTo(500);
            assertThat(copy.map()).isSameAs(before);
            assertThat(ctx.map()).isNotSameAs(before);
            copy.run(() -> v500.set(-2));                       // and the other way round
            assertThat(ctx.get(v500)).isEqualTo(-1);
            assertThat(copy.get(v500)).isEqualTo(-2);
            for (int i = 0; i < 1000; i++) {
                if (i != 500) {
                    assertThat(copy.get(thousand.get(i))).isEqualTo(i);
                    assertThat(ctx.get(thousand.get(i))).isEqualTo(i);
                }
            }
        }

        @Test
        void set_thousandVars_trieDepthIsLog32OfLargestId_S3() {
            Context ctx = contextWithThousandVars();
            int largest = thousand.get(thousand.size() - 1).id;
            int minimalDepth = 1;
            for (long reach = 32; reach <= largest; reach *= 32) {
                minimalDepth++;
            }
            assertThat(VarMap.depth(ctx.map())).as("set is O(log32 n): depth for largest id %d", largest).isEqualTo(minimalDepth);
        }
    }

    @Nested
    @DisplayName("S3: keySet and values are snapshots, unmodifiable")
    class MappingViews {

        @Test
        void keySetAndValues_laterSet_snapshotUnchangedAndUnmodifiable_S3() {
            Context ctx = new Context();
            ctx.run(() -> {
                REQUEST_ID.set("r");
                USER.set(null);
            });
            var keys = ctx.keySet();
            var values = ctx.values();
            assertThat(keys).containsExactly(REQUEST_ID, USER);   // creation order of the vars
            assertThat(values).containsExactly("r", null);
            ctx.run(() -> WITH_DEFAULT.set("later"));
            assertThat(keys).hasSize(2);
            assertThat(values).hasSize(2);
            assertThat(ctx.keySet()).hasSize(3);
            assertThatThrownBy(() -> keys.remove(REQUEST_ID)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> values.add("x")).isInstanceOf(UnsupportedOperationException.class);
            assertThat(ctx.size()).isEqualTo(3);
            assertThat(ctx.isEmpty()).isFalse();
            assertThat(new Context().isEmpty()).isTrue();
        }
    }

    @Nested
    @DisplayName("S5: reset restores the value before the matching set")
    class S5 {

        @Test
        void reset_varHadValue_restoresIt_varHadNone_removesIt_S5() {
            Context ctx = new Context();
            ctx.run(() -> {
                Token<String> first = USER.set("alice");
                assertThat(first.oldValue()).isSameAs(Token.MISSING);
                Token<String> second = USER.set("bob");
                assertThat(second.oldValue()).isEqualTo("alice");
                USER.reset(second);
                assertThat(USER.get()).isEqualTo("alice");
                USER.reset(first);
                assertThat(ctx.containsKey(USER)).isFalse();
                assertThat(first.isUsed()).isTrue();
            });
        }

        @Test
        void reset_outOfOrder_restoresThatSetsOldValue_S5() {
            new Context().run(() -> {
                Token<String> a = USER.set("a");
                Token<String> b = USER.set("b");
                USER.reset(a);                                  // Python allows any order
                assertThat(USER.orElse(null)).isNull();
                USER.reset(b);
                assertThat(USER.get()).isEqualTo("a");
            });
        }
    }

    @Nested
    @DisplayName("S6: run/call/enter restore the previous context however the body ends")
    class S6 {

        @Test
        void runCallEnter_bodyReturnsOrThrows_previousContextRestored_S6() {
            Context outer = new Context();
            outer.run(() -> {
                USER.set("outer");
                Context inner = new Context();
                List<Throwable> thrown = List.of(new IllegalStateException("runtime"), new OutOfMemoryError("error"),
                        new IOException("checked"));
                for (Throwable t : thrown) {
                    assertThatThrownBy(() -> inner.call(() -> {
                        USER.set("inner " + t.getMessage());
                        throwUnchecked(t);
                        return null;
                    })).isSameAs(t);
                    assertThat(Storage.currentOrNull()).isSameAs(outer);
                    assertThat(USER.get()).isEqualTo("outer");
                    assertThat(inner.get(USER)).isEqualTo("inner " + t.getMessage());
                    assertThat(inner.isEntered()).isFalse();
                }
                inner.run(() -> USER.set("returned"));
                assertThat(inner.get(USER)).isEqualTo("returned");
                try (Scope s = inner.enter()) {
                    assertThat(USER.get()).isEqualTo("returned");
                }
                assertThat(Storage.currentOrNull()).isSameAs(outer);
            });
        }

        @Test
        void run_bodyLeavesInnerScopeOpen_innerExitedByForceAndReported_S6() {
            Context outer = new Context();
            Context leaked = new Context();
            Context before = Storage.currentOrNull();
            assertThatThrownBy(() -> outer.run(leaked::enter)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("still entered");
            assertThat(Storage.currentOrNull()).isSameAs(before);
            assertThat(outer.isEntered()).isFalse();
            assertThat(leaked.isEntered()).isFalse();

            RuntimeException failure = new RuntimeException("body failed");
            assertThatThrownBy(() -> outer.run(() -> {
                leaked.enter();
                throw failure;
            })).isSameAs(failure);
            assertThat(failure.getSuppressed()).hasSize(1);
            assertThat(failure.getSuppressed()[0]).hasMessageContaining("still entered");
            assertThat(Storage.currentOrNull()).isSameAs(before);
            assertThat(leaked.isEntered()).isFalse();
        }

        @SuppressWarnings("unchecked")
        private static <E extends Throwable> void throwUnchecked(Throwable t) throws E {
            throw (E) t;
        }
    }

    @Nested
    @DisplayName("S7: a context is current on at most one thread at a time")
    class S7 {

        @Test
        void run_sameContextFromManyThreads_neverTwoInsideAtOnce_S7() throws Exception {
            Context shared = new Context();
            int threads = 4;
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            AtomicInteger entries = new AtomicInteger();
            AtomicInteger refusals = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int k = 0; k < 20_000; k++) {
                            try {
                                shared.run(() -> {
                                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                                    entries.incrementAndGet();
                                    inside.decrementAndGet();
                                });
                            } catch (IllegalStateException refused) {
                                assertThat(refused).hasMessageContaining("is already entered");
                                refusals.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
                assertThat(maxInside.get()).isEqualTo(1);
                assertThat(entries.get() + refusals.get()).isEqualTo(threads * 20_000);
                assertThat(entries.get()).isPositive();
                assertThat(shared.isEntered()).isFalse();
                ContextLeakGuard.assertPoolClean(pool, threads);
            } finally {
                pool.shutdown();
            }
        }
    }

    @Nested
    @DisplayName("S8: scopes close on their thread, innermost first, once")
    class S8 {

        @Test
        void scopes_nestedAndClosedInOrder_restoreEachLevel_S8() {
            Context a = new Context();
            Context b = new Context();
            Context start = Storage.currentOrNull();
            try (Scope sa = a.enter()) {
                assertThat(Storage.currentOrNull()).isSameAs(a);
                try (Scope sb = b.enter()) {
                    assertThat(Storage.currentOrNull()).isSameAs(b);
                }
                assertThat(Storage.currentOrNull()).isSameAs(a);
                assertThat(b.isEntered()).isFalse();
            }
            assertThat(Storage.currentOrNull()).isSameAs(start);
        }
    }

    @Nested
    @DisplayName("S9: null values are legal")
    class S9 {

        @Test
        void set_nullThenGet_nullNotDefault_S9() {
            new Context().run(() -> {
                try (Token<String> t = WITH_DEFAULT.set(null)) {
                    assertThat(WITH_DEFAULT.get()).isNull();
                }
                assertThat(WITH_DEFAULT.get()).isEqualTo("dflt");
            });
        }
    }

    @Nested
    @DisplayName("S10: identity keys, informative toString")
    class S10 {

        @Test
        void sameName_twoVars_twoKeys_S10() {
            ContextVar<String> a = ContextVar.of("same");
            ContextVar<String> b = ContextVar.of("same");
            assertThat(a).isNotEqualTo(b);
            new Context().run(() -> {
                a.set("a");
                assertThat(b.orElse("unset")).isEqualTo("unset");
                b.set("b");
                assertThat(a.get()).isEqualTo("a");
                assertThat(Context.copyCurrent().size()).isEqualTo(2);
            });
        }

        @Test
        void toString_varTokenContext_informative_S10() {
            ContextVar<String> requestId = ContextVar.of("request_id");
            ContextVar<String> user = ContextVar.of("user");
            assertThat(requestId).hasToString("ContextVar[request_id#" + requestId.id + ", no default]");
            ContextVar<Integer> n = ContextVar.of("n", 7);
            assertThat(n).hasToString("ContextVar[n#" + n.id + ", default=7]");
            ContextVar<String> none = ContextVar.of("request_id", "none");
            assertThat(none).hasToString("ContextVar[request_id#" + none.id + ", default=\"none\"]");
            assertThat(none.toString()).as("two vars with the same name print differently (S10)")
                    .isNotEqualTo(ContextVar.of("request_id", "none").toString());
            Context ctx = new Context();
            assertThat(ctx).hasToString("Context[size=0, vars=[], not entered]");
            ContextVar<String> bearer = ContextVar.of("bearer");
            Context withSecret = new Context().with(bearer, "s3cr3t-token");
            assertThat(withSecret.toString()).as("values never shown: they may be secrets")
                    .isEqualTo("Context[size=1, vars=[bearer], not entered]").doesNotContain("s3cr3t");
            Token<String> foreign = withSecret.supply(() -> bearer.set("s3cr3t-2"));
            assertThat(catchThrowable(foreign::close)).as("nor in the messages that name a context")
                    .hasMessageContaining("vars=[bearer]").hasMessageNotContaining("s3cr3t");
            ctx.run(() -> {
                requestId.set("r-1");
                Token<String> t = user.set("alice");
                assertThat(t).hasToString("Token[user, unused]");
                assertThat(ctx).hasToString("Context[size=2, vars=[request_id, user], entered]");
                t.close();
                assertThat(t).hasToString("Token[user, used]");
            });
            assertThat(ctx).hasToString("Context[size=1, vars=[request_id], not entered]");
            assertThat(ctx.toString()).doesNotContain("r-1");  // never the values
        }

        @Test
        void toString_manyVars_atMostEightNamesThenEllipsis_S10() {
            Context ctx = new Context();
            List<ContextVar<Integer>> vars = new ArrayList<>();
            ctx.run(() -> {
                for (int i = 1; i <= 12; i++) {
                    ContextVar<Integer> v = ContextVar.of("v" + i);
                    vars.add(v);
                    v.set(i);
                }
            });
            assertThat(ctx).hasToString("Context[size=12, vars=[v1, v2, v3, v4, v5, v6, v7, v8, ...], not entered]");
        }

        @Test
        void toString_exactlyNineVars_eightNamesThenEllipsis_S10() {
            Context ctx = new Context();
            ctx.run(() -> {
                for (int i = 1; i <= 9; i++) {
                    ContextVar.of("v" + i).set(i);
                }
            });
            assertThat(ctx).hasToString("Context[size=9, vars=[v1, v2, v3, v4, v5, v6, v7, v8, ...], not entered]");
            ctx.run(() -> ContextVar.of("v10").set(10));
            assertThat(ctx.toString()).contains("v8, ...]");
        }
    }

    @Nested
    @DisplayName("S11: nothing is retained after use")
    class S11 {

        /** Up to 50 rounds of System.gc(); true when every reference was cleared. */
        private static boolean allCollected(List<? extends WeakReference<?>> refs) throws InterruptedException {
            for (int i = 0; i < 50; i++) {
                if (refs.stream().allMatch(r -> r.get() == null)) {
                    return true;
                }
                System.gc();
                Thread.sleep(10);
            }
            return refs.stream().allMatch(r -> r.get() == null);
        }

        /** Creates a var, a context and a value, uses them on this thread, and keeps only weak references. */
        private static List<WeakReference<Object>> useAndDropOnThisThread() {
            ContextVar<Object> var = ContextVar.of("dropped");
            Object value = new byte[1024];
            Context ctx = new Context();
            ctx.run(() -> var.set(value));
            Context copy = ctx.copy();
            copy.run(() -> {
                Token<Object> t = var.set("other");
                t.close();
            });
            try (Token<Object> t = var.set(value)) {          // on the thread's own context, then reset
                assertThat(var.get()).isSameAs(value);
            }
            return List.of(new WeakReference<>(var), new WeakReference<>(value), new WeakReference<>(ctx),
                    new WeakReference<>(copy));
        }

        @Test
        void contextValuesAndVar_droppedAfterUse_becomeUnreachable_S11() throws Exception {
            List<WeakReference<Object>> refs = useAndDropOnThisThread();
            assertThat(allCollected(refs)).as("context, copy, value and var collected").isTrue();
        }

        @Test
        void reset_inContextThatStaysAlive_valueAndVarUnreachable_S11() throws Exception {
            Context alive = new Context();
            alive.run(() -> USER.set("keeps the leaf alive"));
            List<WeakReference<Object>> refs = setAndResetIn(alive);
            assertThat(allCollected(refs)).as("a removed entry leaves no stale value or key behind").isTrue();
            assertThat(alive.get(USER)).isEqualTo("keeps the leaf alive");
        }

        private static List<WeakReference<Object>> setAndResetIn(Context alive) {
            ContextVar<Object> var;
            ContextVar<Object> later;
            do {                                    // a var that stays set after it in the same leaf,
                var = ContextVar.of("removed");     // so the removed pair is not trimmed away
                later = ContextVar.of("later");
            } while (var.id >>> 5 != later.id >>> 5);
            ContextVar<Object> removed = var;
            ContextVar<Object> kept = later;
            Object value = new byte[1024];
            alive.run(() -> {
                kept.set("stays");
                Token<Object> t = removed.set(value);
                removed.reset(t);
            });
            return List.of(new WeakReference<>(removed), new WeakReference<>(value));
        }

        @Test
        void pooledThread_afterTaskInCopiedContext_retainsNothing_S11() throws Exception {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                List<WeakReference<Object>> refs = submitTaskInCopy(pool);
                assertThat(allCollected(refs)).as("the worker keeps neither the context, its values nor the var")
                        .isTrue();
                ContextLeakGuard.assertPoolClean(pool, 1);
            } finally {
                pool.shutdown();
            }
        }

        private static List<WeakReference<Object>> submitTaskInCopy(ExecutorService pool) throws Exception {
            ContextVar<Object> var = ContextVar.of("pooled");
            Object value = new byte[1024];
            Object setByTask = new Object[1];
            Context snapshot = new Context().call(() -> {
                var.set(value);
                return Context.copyCurrent();
            });
            pool.submit(() -> snapshot.run(() -> {
                assertThat(var.get()).isSameAs(value);
                var.set(setByTask);
            })).get(10, TimeUnit.SECONDS);
            assertThat(snapshot.get(var)).isSameAs(setByTask);
            return List.of(new WeakReference<>(var), new WeakReference<>(value), new WeakReference<>(setByTask),
                    new WeakReference<>(snapshot));
        }
    }
}
