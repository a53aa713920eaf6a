package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** P6: foreign thread-locals travel with the context and are restored in LIFO order. */
@ExtendWith(ContextLeakGuard.class)
class ThreadLocalBridgeTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    /** An accessor over a plain ThreadLocal that logs restore/reset calls. */
    static final class Accessor implements ThreadLocalAccessor<String> {
        final ThreadLocal<String> local = new ThreadLocal<>();
        final String name;
        final List<String> log;

        Accessor(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }

        @Override
        public String capture() {
            return local.get();
        }

        @Override
        public void restore(String value) {
            log.add(name + "=" + value);
            local.set(value);
        }

        @Override
        public void reset() {
            log.add(name + " reset");
            local.remove();
        }
    }

    final List<String> log = new CopyOnWriteArrayList<>();
    final Accessor first = new Accessor("first", log);
    final Accessor second = new Accessor("second", log);
    final ExecutorService raw = Executors.newSingleThreadExecutor();

    @BeforeEach
    void register() {
        ThreadLocalAccessors.register(first);
        ThreadLocalAccessors.register(second);
        ThreadLocalAccessors.register(first);   // twice: no effect
    }

    @AfterEach
    void unregister() throws Exception {
        assertThat(ThreadLocalAccessors.unregister(first)).isTrue();
        assertThat(ThreadLocalAccessors.unregister(second)).isTrue();
        assertThat(ThreadLocalAccessors.unregister(second)).isFalse();
        raw.shutdown();
        assertThat(raw.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void registered_inOrder_once_P6() {
        assertThat(ThreadLocalAccessors.registered()).containsSubsequence(first, second);
        assertThat(ThreadLocalAccessors.registered().stream().filter(a -> a == first)).hasSize(1);
    }

    @Test
    void executor_threadLocalsArrive_workerRestoredLifo_P6() throws Exception {
        raw.submit(() -> first.local.set("worker-own")).get();
        ExecutorService pool = ContextExecutors.wrap(raw);
        first.local.set("submitter-1");
        second.local.set("submitter-2");
        try (Token<String> t = REQ.set("ctx")) {
            String seen = pool.submit(() -> first.local.get() + "," + second.local.get() + "," + REQ.get()).get();
            assertThat(seen).isEqualTo("submitter-1,submitter-2,ctx");
        } finally {
            first.local.remove();
            second.local.remove();
        }
        // installed in registration order, put back last-first
        assertThat(log).containsExactly("first=submitter-1", "second=submitter-2", "second reset", "first=worker-own");
        assertThat(raw.submit(() -> first.local.get() + "," + second.local.get()).get()).isEqualTo("worker-own,null");
        raw.submit(() -> first.local.remove()).get();
    }

    /** An accessor whose reset (putting back the worker's absent value) fails, after the task ran. */
    static final class FailsOnReset implements ThreadLocalAccessor<String> {
        final ThreadLocal<String> local = new ThreadLocal<>();

        @Override
        public String capture() {
            return local.get();
        }

        @Override
        public void restore(String value) {
            local.set(value);
        }

        @Override
        public void reset() {
            local.remove();
            throw new IllegalStateException("reset failed in FailsOnReset");
        }

        @Override
        public String toString() {
            return "FailsOnReset";
        }
    }

    @Test
    void accessorFailsOnRestore_taskSucceeded_resultKeptFailureLogged_P6() throws Exception {
        FailsOnReset failing = new FailsOnReset();
        ThreadLocalAccessors.register(failing);
        try (LogCapture logged = LogCapture.of(ThreadLocalAccessors.class)) {
            ExecutorService pool = ContextExecutors.wrap(raw);
            failing.local.set("submitter");
            try {
                assertThat(pool.submit(() -> "result:" + failing.local.get()).get(10, TimeUnit.SECONDS))
                        .isEqualTo("result:submitter");
            } finally {
                failing.local.remove();
            }
            assertThat(logged.records()).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
                assertThat(r.getMessage()).startsWith("cannot put back the worker's thread-locals after task ")
                        .contains("on thread pool-").endsWith("; the task's own outcome is kept");
                assertThat(r.getThrown()).hasMessage("reset failed in FailsOnReset");
            });
            // a task that failed keeps its own exception, with the accessor's failure suppressed
            failing.local.set("submitter");
            try {
                var f = pool.submit(() -> {
                    throw new IllegalArgumentException("task failed");
                });
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> f.get(10, TimeUnit.SECONDS)))
                        .cause().hasMessage("task failed")
                        .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                                .satisfies(x -> assertThat(x).hasMessage("reset failed in FailsOnReset")));
            } finally {
                failing.local.remove();
            }
            assertThat(logged.records()).hasSize(1);
        } finally {
            ThreadLocalAccessors.unregister(failing);
        }
        ContextLeakGuard.assertPoolClean(raw, 1);
    }

    @Test
    void executor_taskThrows_threadLocalsStillRestored_P6() throws Exception {
        ExecutorService pool = ContextExecutors.wrap(raw);
        first.local.set("submitter");
        try {
            var f = pool.submit(() -> {
                first.local.set("changed-by-task");
                throw new IllegalStateException("boom");
            });
            assertThat(f).failsWithin(10, TimeUnit.SECONDS);
        } finally {
            first.local.remove();
        }
        assertThat(raw.submit(() -> first.local.get()).get()).isNull();
    }

    @Test
    void completableFutureStage_andThreadFactory_carryThreadLocals_P6() throws Exception {
        first.local.set("registrar");
        try {
            ContextCompletableFuture<String> source = new ContextCompletableFuture<>();
            var stage = source.thenApplyAsync(v -> v + first.local.get(), raw);
            var thread = ContextThreads.wrap(Executors.defaultThreadFactory());
            StringBuilder onThread = new StringBuilder();
            Thread t = thread.newThread(() -> onThread.append(first.local.get()));
            first.local.set("other");
            source.complete("v:");
            assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("v:registrar");
            t.start();
            t.join(10_000);
            assertThat(onThread).hasToString("registrar");
        } finally {
            first.local.remove();
        }
    }
}
