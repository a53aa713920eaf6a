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
                    .mapToObj(i -> snapshot.wrapSupplier(() -> {
                        String v = REQ.orElse("none");
                        REQ.set("element-" + i);     // stays in this element's copy
                        return v;
                    }).get())
                    .distinct().collect(Collectors.toList());
            assertThat(seen).containsExactly("caller");
            assertThat(REQ.get()).isEqualTo("caller");
        }
        assertCommonPoolClean();
    }

    /** A plain child that sets the var and never resets it, returning what it saw first. */
    static final class PlainChild extends java.util.concurrent.RecursiveTask<String> {
        private static final long serialVersionUID = 1L;

        @Override
        protected String compute() {
            String seen = REQ.orElse("none");
            REQ.set("child");
            return seen;
        }
    }

    /**
     * Documents why ContextRecursiveTask exists: a plain subtask that the forking worker runs
     * itself runs in the parent's copy, and its never-reset set lands there.
     */
    @Test
    void plainRecursiveTask_forkedChildRunByForkingWorker_setLandsInParent_documented_P5() throws Exception {
        ForkJoinPool raw = new ForkJoinPool(1);
        try {
            ExecutorService pool = ContextExecutors.wrap(raw);
            try (Token<String> t = REQ.set("parent")) {
                String result = pool.submit(() -> {
                    PlainChild child = new PlainChild();
                    child.fork();
                    String childSaw = child.join();
                    return childSaw + "/" + REQ.get();
                }).get(10, TimeUnit.SECONDS);
                assertThat(result).isEqualTo("parent/child");
            }
            raw.submit(() -> ContextLeakGuard.assertThreadClean("fork-join worker")).get(10, TimeUnit.SECONDS);
        } finally {
            raw.shutdown();
            assertThat(raw.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Sums the depth-tagged values its leaves see; every level sets the var for its children. */
    static final class Tree extends ContextRecursiveTask<String> {
        private static final long serialVersionUID = 1L;
        final int depth;

        Tree(int depth) {
            this.depth = depth;
        }

        @Override
        protected String compute() {
            String inherited = REQ.get();
            if (depth == 0) {
                REQ.set("leaf-set");                      // never reset: stays in this leaf's copy
                return inherited;
            }
            REQ.set(inherited + "." + depth);             // what this level's children must see
            Tree left = new Tree(depth - 1);
            Tree right = new Tree(depth - 1);
            left.fork();
            right.fork();
            String l = left.join();
            String r = right.join();
            if (!REQ.get().equals(inherited + "." + depth)) {
                throw new AssertionError("a child's set reached its parent: " + REQ.get());
            }
            return l.equals(r) ? l : "mismatch " + l + " vs " + r;
        }
    }

    @Test
    void contextRecursiveTask_childrenSeeParentCopy_childSetsNeverReachParent_P5() throws Exception {
        for (int parallelism : new int[] {1, 4}) {
            ForkJoinPool raw = new ForkJoinPool(parallelism);
            try {
                for (int round = 0; round < 20; round++) {
                    try (Token<String> t = REQ.set("root")) {
                        Tree tree = new Tree(8);                  // created here: captures "root"
                        assertThat(raw.invoke(tree)).isEqualTo("root.8.7.6.5.4.3.2.1");
                        assertThat(REQ.get()).isEqualTo("root");
                    }
                }
                for (int i = 0; i < parallelism * 2; i++) {
                    raw.submit(() -> ContextLeakGuard.assertThreadClean("fork-join worker")).get(10, TimeUnit.SECONDS);
                }
            } finally {
                raw.shutdown();
                assertThat(raw.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void contextRecursiveAction_runsInCreationContext_throwsPassThrough_P5() throws Exception {
        java.util.concurrent.ConcurrentLinkedQueue<String> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
        ContextRecursiveAction action;
        try (Token<String> t = REQ.set("created")) {
            action = new ContextRecursiveAction() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void compute() {
                    seen.add(REQ.get());
                    ContextRecursiveAction child = new ContextRecursiveAction() {
                        private static final long serialVersionUID = 1L;

                        @Override
                        protected void compute() {
                            seen.add("child:" + REQ.get());
                            REQ.set("child-set");
                        }
                    };
                    child.fork().join();
                    seen.add("after:" + REQ.get());
                }
            };
        }
        ForkJoinPool.commonPool().invoke(action);
        assertThat(seen).containsExactly("created", "child:created", "after:created");
        assertThat(REQ.orElse("none")).isEqualTo("none");
        ContextRecursiveTask<String> failing;
        try (Token<String> t = REQ.set("failing")) {
            failing = new ContextRecursiveTask<>() {
                private static final long serialVersionUID = 1L;

                @Override
                protected String compute() {
                    REQ.set("before-throw");
                    throw new IllegalStateException("compute failed in " + REQ.get());
                }
            };
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ForkJoinPool.commonPool().invoke(failing)))
                .hasMessageContaining("compute failed in before-throw");
        assertCommonPoolClean();
    }

    static final ContextVar<Long> FACTOR = ContextVar.of("factor");

    // The example of docs/propagation.md and of ContextRecursiveTask's javadoc; keep them identical.
    static class Sum extends ContextRecursiveTask<Long> {
        private static final long serialVersionUID = 1L;
        final int from, to;
        Sum(int from, int to) { this.from = from; this.to = to; }

        @Override
        protected Long compute() {
            if (to - from <= 1_000) {
                return java.util.stream.LongStream.range(from, to).map(i -> i * FACTOR.get()).sum();
            }
            int mid = (from + to) >>> 1;
            Sum left = new Sum(from, mid);     // captures the current copy, with FACTOR
            left.fork();
            return new Sum(mid, to).compute() + left.join();
        }
    }

    @Test
    void contextRecursiveTask_docExample_everyLeafSeesFactor_P5() {
        ForkJoinPool pool = ForkJoinPool.commonPool();
        try (Token<Long> t = FACTOR.set(3L)) {
            long total = pool.invoke(new Sum(0, 1_000_000));   // every leaf sees FACTOR = 3
            assertThat(total).isEqualTo(3L * (999_999L * 1_000_000L / 2));
        }
    }
}
