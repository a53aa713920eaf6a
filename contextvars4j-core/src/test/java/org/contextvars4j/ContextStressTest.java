package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Eight threads, each in its own context, each doing 100,000 random operations (set, reset, get,
 * copy, nested run, enter and close, and now and then a run of one context shared by all threads)
 * against its own model. Every value a thread sets carries the thread's number, so a value seen by
 * the wrong thread is cross-talk. Afterwards every worker must hold no context and no value.
 */
@ExtendWith(ContextLeakGuard.class)
class ContextStressTest {

    private static final int THREADS = 8;
    private static final int OPS = 100_000;
    private static final int MAX_TOKENS = 64;
    private static final Integer UNSET = -1;
    private static final long SEED = System.nanoTime();

    private static final List<ContextVar<Integer>> VARS = new ArrayList<>();

    static {
        for (int i = 0; i < 16; i++) {
            VARS.add(i % 4 == 0 ? ContextVar.of("s" + i, -2) : ContextVar.of("s" + i));
        }
    }

    /** One context shared by all threads: S7 lets one in at a time; the others are refused. */
    private final Context shared = new Context();
    private final AtomicLong sharedEntries = new AtomicLong();
    private final AtomicLong sharedRefusals = new AtomicLong();

    @Test
    void mixedOperations_eightThreadsOwnContexts_noCrossTalkAndWorkersClean() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Long>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    start.await();
                    Context before = Storage.currentOrNull();
                    Context own = new Context();
                    long checks = own.call(() -> new Worker(thread, new SplittableRandom(SEED + thread)).run());
                    assertThat(Storage.currentOrNull()).isSameAs(before);
                    assertThat(own.isEntered()).isFalse();
                    ContextLeakGuard.assertThreadClean("stress worker " + thread);
                    return checks;
                }));
            }
            start.countDown();
            long checks = 0;
            for (Future<Long> w : workers) {
                checks += w.get(60, TimeUnit.SECONDS);
            }
            assertThat(checks).as("seed %d", SEED).isGreaterThan((long) THREADS * OPS);
            assertThat(sharedEntries.get()).isPositive();
            assertThat(shared.isEntered()).isFalse();
            ContextLeakGuard.assertPoolClean(pool, THREADS);
        } finally {
            pool.shutdown();
        }
    }

    /** One thread's run: its model of the current context and the tokens of its sets. */
    private final class Worker {
        private final int thread;
        private final SplittableRandom random;
        private final Map<ContextVar<Integer>, Integer> model = new HashMap<>();
        private final List<Token<Integer>> tokens = new ArrayList<>();
        private final List<Object> olds = new ArrayList<>();
        private Context copy;
        private Map<ContextVar<Integer>, Integer> copyModel;
        private int counter;
        private long checks;

        Worker(int thread, SplittableRandom random) {
            this.thread = thread;
            this.random = random;
        }

        long run() {
            for (int op = 0; op < OPS; op++) {
                int dice = random.nextInt(100);
                if (dice < 30) {
                    set();
                } else if (dice < 50) {
                    resetOne();
                } else if (dice < 80) {
                    checkOne(model);
                } else if (dice < 88) {
                    copyAndCheckEarlierCopy();
                } else if (dice < 94) {
                    nested(random.nextInt(3));
                } else if (dice < 99) {
                    enterAndClose();
                } else {
                    runShared();
                }
            }
            while (!tokens.isEmpty()) {
                resetOne();
            }
            checkAll(model);
            return checks;
        }

        private int newValue() {
            return thread * 10_000_000 + counter++;       // the value tells which thread set it
        }

        private void set() {
            if (tokens.size() >= MAX_TOKENS) {
                resetOne();
                return;
            }
            ContextVar<Integer> v = VARS.get(random.nextInt(VARS.size()));
            Integer value = newValue();
            olds.add(model.containsKey(v) ? model.get(v) : Token.MISSING);
            tokens.add(v.set(value));
            model.put(v, value);
        }

        /** Resets the newest token mostly, a random one sometimes (any order is allowed). */
        private void resetOne() {
            if (tokens.isEmpty()) {
                return;
            }
            int i = random.nextInt(4) == 0 ? random.nextInt(tokens.size()) : tokens.size() - 1;
            Token<Integer> t = tokens.remove(i);
            Object old = olds.remove(i);
            t.close();
            if (old == Token.MISSING) {
                model.remove(t.var());
            } else {
                model.put(t.var(), (Integer) old);
            }
            // A token reset out of order restores its own old value; tokens of later sets of the
            // same var now hold stale old values. Python does the same; the model follows.
        }

        private void checkOne(Map<ContextVar<Integer>, Integer> expected) {
            ContextVar<Integer> v = VARS.get(random.nextInt(VARS.size()));
            check(v, expected);
        }

        private void checkAll(Map<ContextVar<Integer>, Integer> expected) {
            for (ContextVar<Integer> v : VARS) {
                check(v, expected);
            }
        }

        private void check(ContextVar<Integer> v, Map<ContextVar<Integer>, Integer> expected) {
            Integer actual = v.orElse(UNSET);
            Integer want = expected.getOrDefault(v, UNSET);
            checks++;
            if (!actual.equals(want)) {
                throw new AssertionError(String.format("thread %d, seed %d: %s = %d, model %d%s", thread, SEED, v,
                        actual, want, actual >= 0 && actual / 10_000_000 != thread ? " (CROSS-TALK)" : ""));
            }
        }

        private void copyAndCheckEarlierCopy() {
            if (copy != null) {                            // an earlier copy is untouched by later sets
                copy.run(() -> checkAll(copyModel));
            }
            copy = Context.copyCurrent();
            copyModel = new HashMap<>(model);
        }

        /** Runs a copy of the current context, sets in it, maybe goes deeper; the outside is unchanged. */
        private void nested(int depth) {
            Map<ContextVar<Integer>, Integer> outer = new HashMap<>(model);
            Context inner = Context.copyCurrent();
            inner.run(() -> {
                checkOne(outer);
                ContextVar<Integer> v = VARS.get(random.nextInt(VARS.size()));
                Integer value = newValue();
                v.set(value);
                Map<ContextVar<Integer>, Integer> innerModel = new HashMap<>(outer);
                innerModel.put(v, value);
                checkOne(innerModel);
                if (depth > 0) {
                    Map<ContextVar<Integer>, Integer> saved = new HashMap<>(model);
                    model.clear();
                    model.putAll(innerModel);
                    nested(depth - 1);
                    model.clear();
                    model.putAll(saved);
                }
                check(v, innerModel);
            });
            checkAll(outer);
        }

        private void enterAndClose() {
            Map<ContextVar<Integer>, Integer> outer = new HashMap<>(model);
            ContextVar<Integer> v = VARS.get(random.nextInt(VARS.size()));
            Integer value = newValue();
            Context scoped = random.nextBoolean() ? Context.copyCurrent() : new Context();
            Map<ContextVar<Integer>, Integer> inside = scoped.isEmpty() ? new HashMap<>() : new HashMap<>(outer);
            try (Scope s = scoped.enter()) {
                checkOne(inside);
                try (Token<Integer> t = v.set(value)) {
                    inside.put(v, value);
                    check(v, inside);
                }
            }
            checkAll(outer);
        }

        private void runShared() {
            try {
                shared.run(() -> {
                    sharedEntries.incrementAndGet();
                    ContextVar<Integer> v = VARS.get(0);
                    Integer value = newValue();
                    Token<Integer> t = v.set(value);
                    Thread.yield();                        // give others a chance to break in (they must not)
                    if (!value.equals(v.get())) {
                        throw new AssertionError("thread " + thread + ": shared context changed by another thread");
                    }
                    v.reset(t);
                });
            } catch (IllegalStateException refused) {
                if (!refused.getMessage().contains("is already entered")) {
                    throw refused;
                }
                sharedRefusals.incrementAndGet();
            }
        }
    }
}
