package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * The base of the request-scope tests: a fixed pool, raw and wrapped so that tasks join the
 * submitter's scope (P2), checked clean and shut down after each test.
 */
abstract class ScopePoolTestBase {

    private final int threads;
    final ExecutorService raw;
    final ExecutorService pool;

    ScopePoolTestBase(int threads) {
        this.threads = threads;
        this.raw = Executors.newFixedThreadPool(threads);
        this.pool = ContextExecutors.wrap(raw);
    }

    @AfterEach
    void checkPoolCleanAndShutDown() throws Exception {
        ContextLeakGuard.assertPoolClean(raw, threads);
        raw.shutdown();
        assertThat(raw.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
}
