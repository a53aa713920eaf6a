package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Leak detection: unclosed scopes are reported and the worker repaired; a pooled thread's base
 * context that holds values is reported once; tokens left in a task's own copy only when asked.
 */
@ExtendWith(ContextLeakGuard.class)
class LeakDetectionTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    /** The reports about tasks; the Worker's base context holds a value on purpose, see {@link #baseLeaks}. */
    final List<LeakDetection.Leak> leaks = new CopyOnWriteArrayList<>();
    final List<LeakDetection.Leak> baseLeaks = new CopyOnWriteArrayList<>();
    final Worker worker = new Worker();
    ExecutorService pool;

    @BeforeEach
    void enable() {
        LeakDetection.setListener(l -> (l.kind() == LeakDetection.Kind.BASE_CONTEXT_NOT_EMPTY ? baseLeaks : leaks).add(l));
        LeakDetection.reportTokensInTasks(true);
        LeakDetection.enable(1);
        pool = ContextExecutors.wrap((ExecutorService) worker.raw);
    }

    @AfterEach
    void disable() {
        LeakDetection.disable();
        LeakDetection.reportTokensInTasks(false);
        LeakDetection.setListener(null);
        worker.close();
    }

    static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    void openScopeAndForget(Context other) {
        other.enter();
    }

    @Test
    void scopeNotClosed_reportedWithCreationSite_workerRepaired() throws Exception {
        Context other = new Context();
        var f = pool.submit(() -> openScopeAndForget(other));
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasStackTraceContaining("is still entered");
        assertThat(leaks).hasSize(1);
        LeakDetection.Leak leak = leaks.get(0);
        assertThat(leak.kind()).isEqualTo(LeakDetection.Kind.SCOPE_NOT_CLOSED);
        assertThat(leak.description()).contains("was not closed");
        assertThat(leak.threadName()).startsWith("pool-");
        assertThat(stack(leak.creationSite())).contains("openScopeAndForget");
        assertThat(leak.creationSite().getStackTrace()[0].getMethodName()).as("the user's frame is on top")
                .isEqualTo("openScopeAndForget");
        assertThat(leak.description()).contains("before task lambda in " + LeakDetectionTest.class.getName());
        assertThat(other.isEntered()).isFalse();
        worker.assertRestored("after leaked scope");
    }

    void setAndForget() {
        REQ.set("forgotten");
    }

    @Test
    void tokenNotReset_reportedWithCreationSite_submitterAndWorkerUntouched() throws Exception {
        pool.submit(this::setAndForget).get(10, TimeUnit.SECONDS);
        assertThat(leaks).singleElement().satisfies(leak -> {
            assertThat(leak.kind()).isEqualTo(LeakDetection.Kind.TOKEN_NOT_RESET);
            assertThat(leak.description()).contains("request_id");
            assertThat(stack(leak.creationSite())).contains("setAndForget");
            assertThat(leak.creationSite().getStackTrace()[0].getMethodName()).isEqualTo("setAndForget");
            assertThat(leak.description()).contains("before task lambda in " + LeakDetectionTest.class.getName())
                    .doesNotContain("$$Lambda");
        });
        assertThat(REQ.orElse(null)).isNull();
        worker.assertRestored("after leaked token");
    }

    @Test
    void tokensResetAndScopesClosed_nothingReported() throws Exception {
        pool.submit(() -> {
            try (Token<String> t = REQ.set("a"); Scope s = new Context().enter(); Token<String> u = REQ.set("b")) {
                return REQ.get();
            }
        }).get(10, TimeUnit.SECONDS);
        ContextCompletableFuture.supplyAsync(() -> {
            try (Token<String> t = REQ.set("c")) {
                return t;
            }
        }).get(10, TimeUnit.SECONDS);
        assertThat(leaks).isEmpty();
    }

    @Test
    void sampled_reportsWithoutStackWhenNotSampled() throws Exception {
        LeakDetection.enable(Integer.MAX_VALUE);
        pool.submit(this::setAndForget).get(10, TimeUnit.SECONDS);
        assertThat(leaks).singleElement().satisfies(leak -> assertThat(leak.creationSite()).isNull());
    }

    @Test
    void off_nothingRecorded() throws Exception {
        LeakDetection.disable();
        assertThat(LeakDetection.isEnabled()).isFalse();
        pool.submit(this::setAndForget).get(10, TimeUnit.SECONDS);
        assertThat(leaks).isEmpty();
    }

    @Test
    void completableFutureStage_tokenNotReset_reported() throws Exception {
        ContextCompletableFuture.completedFuture("x").thenAccept(v -> setAndForget()).get(10, TimeUnit.SECONDS);
        assertThat(leaks).singleElement().satisfies(l -> assertThat(l.kind()).isEqualTo(LeakDetection.Kind.TOKEN_NOT_RESET));
    }

    @Test
    void systemPropertyValues_parsed_badValueLeavesDetectionOff() throws Exception {
        LeakDetection.disable();
        try (LogCapture log = LogCapture.of(LeakDetection.class)) {
            LeakDetection.configure("bogus");
            assertThat(log.records()).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
                assertThat(r.getMessage()).isEqualTo("bad system property contextvars4j.leakDetection: bogus (expected "
                        + "off, sampled, full or a positive sample interval); leak detection stays off");
            });
        }
        assertThat(LeakDetection.isEnabled()).isFalse();
        LeakDetection.configure(" 1 ");
        assertThat(LeakDetection.isEnabled()).isTrue();
        pool.submit(this::setAndForget).get(10, TimeUnit.SECONDS);
        assertThat(leaks).singleElement().satisfies(l -> assertThat(l.creationSite()).isNotNull());
        LeakDetection.configure("off");
        assertThat(LeakDetection.isEnabled()).isTrue();   // "off" only means "do not switch on"
        LeakDetection.disable();
        LeakDetection.configure("SAMPLED");
        assertThat(LeakDetection.isEnabled()).isTrue();
    }

    @Test
    void reportCount_countsEveryReportByKind_whateverTheListener() throws Exception {
        long scopes = LeakDetection.reportCount(LeakDetection.Kind.SCOPE_NOT_CLOSED);
        long tokens = LeakDetection.reportCount(LeakDetection.Kind.TOKEN_NOT_RESET);
        var f = pool.submit(() -> openScopeAndForget(new Context()));
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasStackTraceContaining("is still entered");
        LeakDetection.setListener(l -> {
            throw new IllegalStateException("a failing listener");
        });
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(LeakDetection.class.getName());
        List<String> logged = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
        logger.addHandler(capture);
        try {
            pool.submit(this::setAndForget).get(10, TimeUnit.SECONDS);
        } finally {
            logger.removeHandler(capture);
            logger.setUseParentHandlers(parents);
        }
        assertThat(logged).singleElement().asString().startsWith("SEVERE leak listener failed on TOKEN_NOT_RESET");
        assertThat(LeakDetection.reportCount(LeakDetection.Kind.SCOPE_NOT_CLOSED)).isEqualTo(scopes + 1);
        assertThat(LeakDetection.reportCount(LeakDetection.Kind.TOKEN_NOT_RESET)).as("counted though the listener failed")
                .isEqualTo(tokens + 1);
        assertThat(leaks).hasSize(1);
        assertThatThrownBy(() -> LeakDetection.reportCount(null)).isInstanceOf(NullPointerException.class).hasMessage("kind");
    }

    @Test
    void enable_badInterval_refused() {
        assertThatThrownBy(() -> LeakDetection.enable(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sampleInterval");
    }

    @Test
    void tokenNotResetInTaskCopy_notReportedByDefault_memoizationPattern() throws Exception {
        LeakDetection.reportTokensInTasks(false);
        ContextVar<String> cache = ContextVar.of("cache");
        for (int i = 0; i < 10; i++) {
            pool.submit(() -> {
                if (cache.orElse(null) == null) {
                    cache.set("computed");               // memoized in the task's copy, never reset
                }
                return cache.get();
            }).get(10, TimeUnit.SECONDS);
        }
        ContextCompletableFuture.completedFuture("x").thenAccept(v -> setAndForget()).get(10, TimeUnit.SECONDS);
        assertThat(leaks).isEmpty();
        worker.assertRestored("after memoizing tasks");
    }

    @Test
    void baseContextNotEmpty_reportedOncePerThread_wrappedTasksUnaffected() throws Exception {
        java.util.concurrent.ScheduledThreadPoolExecutor raw = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
        try {
            ExecutorService wrapped = ContextExecutors.wrap((ExecutorService) raw);
            assertThat(wrapped.submit(() -> REQ.orElse("none")).get(10, TimeUnit.SECONDS)).isEqualTo("none");
            assertThat(baseLeaks).as("a clean worker is not reported").isEmpty();
            // an unwrapped task sets on the worker's own base context and never resets
            Token<String> leaked = raw.submit(() -> REQ.set("leaked")).get(10, TimeUnit.SECONDS);
            assertThat(raw.submit(() -> REQ.orElse("none")).get(10, TimeUnit.SECONDS))
                    .as("the harm: the next unwrapped task sees it").isEqualTo("leaked");
            for (int i = 0; i < 3; i++) {
                assertThat(wrapped.submit(() -> REQ.orElse("none")).get(10, TimeUnit.SECONDS))
                        .as("wrapped tasks run in their own copy").isEqualTo("none");
            }
            assertThat(baseLeaks).singleElement().satisfies(l -> {
                assertThat(l.threadName()).startsWith("pool-");
                assertThat(l.description()).contains("thread " + l.threadName() + " has values in its own base context")
                        .contains("request_id").contains("lambda in " + LeakDetectionTest.class.getName());
            });
            raw.submit(() -> REQ.reset(leaked)).get(10, TimeUnit.SECONDS);
            raw.submit(() -> ContextLeakGuard.assertThreadClean("worker")).get(10, TimeUnit.SECONDS);
        } finally {
            raw.shutdown();
        }
    }

    @Test
    void baseContextNotEmpty_detectionOff_notReported() throws Exception {
        LeakDetection.disable();
        pool.submit(() -> REQ.orElse("none")).get(10, TimeUnit.SECONDS);   // the Worker's base holds a value
        assertThat(baseLeaks).isEmpty();
    }
}
