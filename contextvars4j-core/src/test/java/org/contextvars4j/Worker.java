package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A one-thread pool whose worker has a context of its own before the test, so that tests can
 * check the worker ends <em>exactly</em> as it was (P2): same current context object, not
 * entered, same values, none of the task's.
 */
final class Worker implements AutoCloseable {

    static final ContextVar<String> OWN = ContextVar.of("worker_own");

    final ScheduledThreadPoolExecutor raw = new ScheduledThreadPoolExecutor(1);
    private Token<String> ownToken;
    private Context base;

    Worker() {
        onWorker(() -> {
            ownToken = OWN.set("worker-value");
            base = Storage.currentOrNull();
            return null;
        });
    }

    /** Runs {@code action} on the worker thread, unwrapped, and returns its result. */
    <V> V onWorker(Callable<V> action) {
        try {
            return raw.submit(action).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("worker action failed", e);
        }
    }

    /** Asserts the worker's context is exactly what it was before the tests' tasks (P2). */
    void assertRestored(String where) {
        onWorker(() -> {
            Context now = Storage.currentOrNull();
            assertThat(now).as("%s: worker's current context", where).isSameAs(base);
            assertThat(now.isEntered()).as("%s: worker's base context entered", where).isFalse();
            assertThat(now.size()).as("%s: worker's values: %s", where, now).isEqualTo(1);
            assertThat(OWN.get()).as(where).isEqualTo("worker-value");
            return null;
        });
    }

    @Override
    public void close() {
        onWorker(() -> {
            ownToken.close();
            ContextLeakGuard.assertThreadClean("worker after test");
            return null;
        });
        raw.shutdownNow();
        try {
            assertThat(raw.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
