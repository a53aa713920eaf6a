package org.contextvars4j.slf4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

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
 * The hand-off scenarios of the logging tests, written once and run against the context-backed
 * MDC and against Logback's stock MDC. Each runs a "request" in a fresh context that puts
 * {@code request_id=r-1} and {@code user=u-1} into the MDC (and sets {@link #TENANT}, exposed
 * under {@code tenant}), then logs across one hand-off; the caller parses what was printed.
 */
final class MdcScenarios {

    static final ContextVar<String> TENANT = ContextVar.of("tenant");

    private MdcScenarios() {
    }

    /** Exposes {@link #TENANT} under {@code tenant} for the test classes that register it. */
    static final class ExposedTenant implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            ContextMdc.expose("tenant", TENANT);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            ContextMdc.unexpose("tenant");
        }
    }

    /** Work a scenario runs inside its request. */
    @FunctionalInterface
    interface Body {
        void run(LogCapture log) throws Exception;
    }

    /** Runs {@code body} as a request: own context, MDC fields and tenant set, MDC cleared after. */
    static void request(LogCapture log, Body body) throws Exception {
        new Context().call(() -> {
            log.mdc.put("request_id", "r-1");
            log.mdc.put("user", "u-1");
            try (Token<String> t = TENANT.set("t-1")) {
                body.run(log);
            } finally {
                log.mdc.clear();
            }
            return null;
        });
    }

    /** A request logs in a task submitted to a wrapped pool ("hop"). */
    static void executorHop(LogCapture log) throws Exception {
        ExecutorService raw = Executors.newFixedThreadPool(2);
        try {
            ExecutorService pool = ContextExecutors.wrap(raw);
            request(log, l -> pool.submit(() -> l.logger.info("hop")).get(30, TimeUnit.SECONDS));
            ContextLeakGuard.assertPoolClean(raw, 2);
        } finally {
            shutdown(raw);
        }
    }

    /** A request logs in an async {@code ContextCompletableFuture} stage ("stage"). */
    static void futureStage(LogCapture log) throws Exception {
        ExecutorService raw = Executors.newFixedThreadPool(2);
        try {
            request(log, l -> ContextCompletableFuture.supplyAsync(() -> "x", raw)
                    .thenApplyAsync(x -> {
                        l.logger.info("stage");
                        return x;
                    }, raw)
                    .get(30, TimeUnit.SECONDS));
            ContextLeakGuard.assertPoolClean(raw, 2);
        } finally {
            shutdown(raw);
        }
    }

    /** A request logs on a thread from a {@code ContextThreads.wrap} factory ("thread"). */
    static void wrappedThreadFactory(LogCapture log) throws Exception {
        ThreadFactory factory = ContextThreads.wrap(Executors.defaultThreadFactory());
        request(log, l -> {
            Thread t = factory.newThread(() -> l.logger.info("thread"));
            t.start();
            t.join(30_000);
        });
    }

    /**
     * A request runs a task that puts its own request id and logs, on the request's own thread
     * in a copy of its context; the request then logs "after" ("inner" before it).
     */
    static void submitterAfterTaskPut(LogCapture log) throws Exception {
        request(log, l -> {
            Context.copyCurrent().run(() -> {
                l.mdc.put("request_id", "task");
                l.logger.info("inner");
            });
            l.logger.info("after");
        });
    }

    /**
     * Two tasks on one pooled thread: the first puts {@code request_id=first} and never removes
     * it; the second, submitted from a context without MDC entries, logs "second".
     */
    static void nextTaskOnPooledThread(LogCapture log) throws Exception {
        ExecutorService raw = Executors.newSingleThreadExecutor();
        try {
            ExecutorService pool = ContextExecutors.wrap(raw);
            new Context().call(() -> pool.submit(() -> {
                log.mdc.put("request_id", "first");
                log.logger.info("first");
            }).get(30, TimeUnit.SECONDS));
            new Context().call(() -> pool.submit(() -> log.logger.info("second")).get(30, TimeUnit.SECONDS));
            ContextLeakGuard.assertPoolClean(raw, 1);
        } finally {
            if (log.stock) {
                raw.submit(log.mdc::clear).get(30, TimeUnit.SECONDS);   // the stock MDC needs it
            }
            shutdown(raw);
        }
    }

    /**
     * {@code requests} concurrent requests through a wrapped pool of 8 threads, each logging
     * {@code lines} lines, every fourth in an async stage on a second pool of 4. Request {@code i}
     * puts {@code request_id=r-i}, puts {@code user=u-i} only when {@code i} is odd, sets the
     * tenant to {@code t-i}, and never clears the MDC. Returns the lines that carry anything but
     * their own request's fields (the tenant is checked only on the context-backed MDC, where it
     * is exposed), after checking that every line was printed and both pools were left clean.
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
                        log.mdc.put("request_id", "r-" + request);
                        if (request % 2 == 1) {
                            log.mdc.put("user", "u-" + request);
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
            ContextLeakGuard.assertPoolClean(rawWorkers, 8);
            ContextLeakGuard.assertPoolClean(rawIo, 4);
        } finally {
            shutdown(rawWorkers);
            shutdown(rawIo);
        }
        List<LogCapture.Line> printed = log.lines();
        if (printed.size() != requests * lines) {
            throw new AssertionError("expected " + requests * lines + " lines, printed " + printed.size());
        }
        List<LogCapture.Line> wrong = new ArrayList<>();
        for (LogCapture.Line l : printed) {
            int request = Integer.parseInt(l.msg().substring(0, l.msg().indexOf(':')));
            String user = request % 2 == 1 ? "u-" + request : "";
            String tenant = log.stock ? "" : "t-" + request;
            if (!l.equals(new LogCapture.Line("r-" + request, user, tenant, l.msg()))) {
                wrong.add(l);
            }
        }
        return wrong;
    }

    static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new AssertionError("pool did not terminate");
        }
    }
}
