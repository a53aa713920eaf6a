package org.contextvars4j.log4j2;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.ThreadContext;
import org.contextvars4j.Context;
import org.contextvars4j.ContextCompletableFuture;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextThreads;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The hand-off scenarios of the Log4j tests, written once and run with the context-backed
 * thread context (the default test execution) and with Log4j's stock thread-local one (the
 * {@code *StockTest} execution). A "request" runs in a fresh context, puts
 * {@code request_id=r-1} and {@code user=u-1} with {@code ThreadContext.put}, sets
 * {@link #TENANT} (exposed as {@code tenant}), then logs across one hand-off.
 */
final class Scenarios {

    static final ContextVar<String> TENANT = ContextVar.of("tenant");

    private Scenarios() {
    }

    /** Exposes {@link #TENANT} under {@code tenant} for the test classes that register it. */
    static final class ExposedTenant implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            ContextLog4j.expose("tenant", TENANT);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            ContextLog4j.unexpose("tenant");
        }
    }

    /** {@return whether Log4j runs with its stock thread-local thread context} */
    static boolean stock() {
        return !(ThreadContext.getThreadContextMap() instanceof ContextThreadContextMap);
    }

    /** Work a scenario runs inside its request. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    static void request(Body body) throws Exception {
        new Context().call(() -> {
            ThreadContext.put("request_id", "r-1");
            ThreadContext.put("user", "u-1");
            try (Token<String> t = TENANT.set("t-1")) {
                body.run();
            } finally {
                ThreadContext.clearMap();
            }
            return null;
        });
    }

    static void executorHop(LogCapture log) throws Exception {
        ExecutorService raw = Executors.newFixedThreadPool(2);
        try {
            ExecutorService pool = ContextExecutors.wrap(raw);
            request(() -> pool.submit(() -> log.logger.info("hop")).get(30, TimeUnit.SECONDS));
            ContextLeakGuard.assertPoolClean(raw, 2);
        } finally {
            shutdown(raw);
        }
    }

    static void futureStage(LogCapture log) throws Exception {
        ExecutorService raw = Executors.newFixedThreadPool(2);
        try {
            request(() -> ContextCompletableFuture.supplyAsync(() -> "x", raw)
                    .thenApplyAsync(x -> {
                        log.logger.info("stage");
                        return x;
                    }, raw)
                    .get(30, TimeUnit.SECONDS));
            ContextLeakGuard.assertPoolClean(raw, 2);
        } finally {
            shutdown(raw);
        }
    }

    static void wrappedThreadFactory(LogCapture log) throws Exception {
        ThreadFactory factory = ContextThreads.wrap(Executors.defaultThreadFactory());
        request(() -> {
            Thread t = factory.newThread(() -> log.logger.info("thread"));
            t.start();
            t.join(30_000);
        });
    }

    static void submitterAfterTaskPut(LogCapture log) throws Exception {
        request(() -> {
            Context.copyCurrent().run(() -> {
                ThreadContext.put("request_id", "task");
                log.logger.info("inner");
            });
            log.logger.info("after");
        });
    }

    static void nextTaskOnPooledThread(LogCapture log) throws Exception {
        ExecutorService raw = Executors.newSingleThreadExecutor();
        try {
            ExecutorService pool = ContextExecutors.wrap(raw);
            new Context().call(() -> pool.submit(() -> {
                ThreadContext.put("request_id", "first");
                log.logger.info("first");
            }).get(30, TimeUnit.SECONDS));
            new Context().call(() -> pool.submit(() -> log.logger.info("second")).get(30, TimeUnit.SECONDS));
            ContextLeakGuard.assertPoolClean(raw, 1);
        } finally {
            raw.submit(ThreadContext::clearMap).get(30, TimeUnit.SECONDS);   // the stock map needs it
            shutdown(raw);
        }
    }

    /**
     * {@code requests} concurrent requests through a wrapped pool of 8 threads, {@code lines}
     * lines each, every fourth in an async stage on a second pool of 4; request {@code i} puts
     * {@code request_id=r-i}, {@code user=u-i} only when {@code i} is odd, sets the tenant to
     * {@code t-i}, never clears. Waits until every line is printed (async loggers print later),
     * then returns the lines that carry anything but their own request's fields.
     */
    static List<LogCapture.Line> concurrentRequests(LogCapture log, int requests, int lines) throws Exception {
        ExecutorService rawWorkers = Executors.newFixedThreadPool(8);
        ExecutorService rawIo = Executors.newFixedThreadPool(4);
        try {
            ExecutorService workers = ContextExecutors.wrap(rawWorkers);
            List<Future<?>> done = new ArrayList<>();
            new Context().run(() -> {
                for (int i = 0; i < requests; i++) {
                    int request = i;
                    done.add(workers.submit(() -> {
                        ThreadContext.put("request_id", "r-" + request);
                        if (request % 2 == 1) {
                            ThreadContext.put("user", "u-" + request);
                        }
                        try (Token<String> t = TENANT.set("t-" + request)) {
                            for (int j = 0; j < lines; j++) {
                                String msg = request + ":" + j;
                                if (j % 4 == 3) {
                                    ContextCompletableFuture.runAsync(() -> log.logger.info(msg), rawIo)
                                            .get(60, TimeUnit.SECONDS);
                                } else {
                                    log.logger.info(msg);
                                }
                            }
                        }
                        return null;
                    }));
                }
            });
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            if (stock()) {
                clearThreads(rawWorkers, 8);
                clearThreads(rawIo, 4);
            }
            ContextLeakGuard.assertPoolClean(rawWorkers, 8);
            ContextLeakGuard.assertPoolClean(rawIo, 4);
        } finally {
            shutdown(rawWorkers);
            shutdown(rawIo);
        }
        List<LogCapture.Line> printed = log.lines();
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                printed.size() < requests * lines && System.nanoTime() < deadline; printed = log.lines()) {
            Thread.sleep(20);
        }
        if (printed.size() != requests * lines) {
            java.util.Set<String> missing = new java.util.TreeSet<>();
            for (int i = 0; i < requests; i++) {
                for (int j = 0; j < lines; j++) {
                    missing.add(i + ":" + j);
                }
            }
            printed.forEach(l -> missing.remove(l.msg()));
            throw new AssertionError("expected " + requests * lines + " lines, printed " + printed.size()
                    + "; missing " + missing.stream().limit(20).toList() + "; malformed "
                    + printed.stream().filter(l -> !l.msg().matches("\\d+:\\d+")).limit(5).toList());
        }
        List<LogCapture.Line> wrong = new ArrayList<>();
        for (LogCapture.Line l : printed) {
            int request = Integer.parseInt(l.msg().substring(0, l.msg().indexOf(':')));
            String user = request % 2 == 1 ? "u-" + request : "";
            if (!l.equals(new LogCapture.Line("r-" + request, user, "t-" + request, l.msg()))) {
                wrong.add(l);
            }
        }
        return wrong;
    }

    /** Clears the stock thread context on every worker of a fixed pool. */
    private static void clearThreads(ExecutorService pool, int threads) throws Exception {
        java.util.concurrent.CyclicBarrier all = new java.util.concurrent.CyclicBarrier(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            done.add(pool.submit(() -> {
                ThreadContext.clearMap();
                all.await(30, TimeUnit.SECONDS);
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new AssertionError("pool did not terminate");
        }
    }
}
