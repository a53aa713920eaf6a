package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("Micrometer ContextSnapshot and ContextExecutorService carry the Context with other accessors, restored LIFO (P2, P6)")
class MicrometerSnapshotTest {

    private static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");
    private static final String TENANT_KEY = "test.tenant";

    private final RecordingThreadLocalAccessor tenant = new RecordingThreadLocalAccessor(TENANT_KEY, REQUEST_ID);

    @BeforeEach
    void register() {
        ContextRegistry.getInstance().registerThreadLocalAccessor(tenant);
    }

    @AfterEach
    void unregister() {
        ContextRegistry.getInstance().removeThreadLocalAccessor(TENANT_KEY);
    }

    @Test
    @DisplayName("P2, P6: ContextExecutorService runs 2,000 tasks in the context and tenant of their submission; the other accessor is set inside the context and restored before it is left; workers are clean")
    void contextExecutorService_manyTasks_ownContextAndTenantRestoredLifo() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ExecutorService wrapped = ContextExecutorService.wrap(pool, ContextSnapshotFactory.builder().build());
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String id = "r-" + i;
                try (Token<String> t = REQUEST_ID.set(id)) {
                    RecordingThreadLocalAccessor.TENANT.set("t-" + i);
                    try {
                        results.add(wrapped.submit(() -> REQUEST_ID.get() + "|" + RecordingThreadLocalAccessor.TENANT.get()));
                    } finally {
                        RecordingThreadLocalAccessor.TENANT.remove();
                    }
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("r-" + i + "|t-" + i);
            }
            assertLifo(2_000);
            ContextLeakGuard.assertPoolClean(pool, threads);
            for (Future<?> f : List.of(pool.submit(() -> assertThat(RecordingThreadLocalAccessor.TENANT.get()).isNull()))) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("P2, P6: ContextSnapshotFactory.captureAll() carries the Context and the tenant to another thread; setThreadLocals and close restore both LIFO and leave the thread as before")
    void captureAll_setThreadLocalsOnOtherThread_bothCarriedAndRestoredLifo() throws Exception {
        ContextSnapshot snapshot;
        try (Token<String> t = REQUEST_ID.set("r-1")) {
            RecordingThreadLocalAccessor.TENANT.set("t-1");
            try {
                snapshot = ContextSnapshotFactory.builder().build().captureAll();
            } finally {
                RecordingThreadLocalAccessor.TENANT.remove();
            }
        }
        List<String> seen = new ArrayList<>();
        ContextLeakGuard.runOnNewThread("captureAll", () -> {
            try (Token<String> own = REQUEST_ID.set("worker-own")) {
                try (ContextSnapshot.Scope scope = snapshot.setThreadLocals()) {
                    seen.add(REQUEST_ID.get() + "|" + RecordingThreadLocalAccessor.TENANT.get());
                    REQUEST_ID.set("changed-inside");   // discarded with the scope's copy
                }
                seen.add(REQUEST_ID.get() + "|" + RecordingThreadLocalAccessor.TENANT.get());
            }
        });
        assertThat(seen).containsExactly("r-1|t-1", "worker-own|null");
        assertThat(tenant.events).containsExactly("set:t-1=r-1", "restore:t-1=changed-inside");
    }

    @Test
    @DisplayName("P6: a snapshot wrapped around a Runnable runs on two threads at once, each in its own copy (S7 never refuses)")
    void captureAll_sameSnapshotOnTwoThreads_eachGetsOwnCopy() throws Exception {
        ContextSnapshot snapshot;
        try (Token<String> t = REQUEST_ID.set("shared")) {
            snapshot = ContextSnapshotFactory.builder().build().captureAll();
        }
        CyclicBarrier both = new CyclicBarrier(2);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Runnable task = snapshot.wrap(() -> {
            try {
                both.await(10, TimeUnit.SECONDS);   // both copies entered at once
                seen.add(REQUEST_ID.get());
                REQUEST_ID.set(Thread.currentThread().getName());
                both.await(10, TimeUnit.SECONDS);
                seen.add(REQUEST_ID.get().equals(Thread.currentThread().getName()) ? "own" : "shared-by-mistake");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(task);
            Future<?> b = pool.submit(task);
            a.get(20, TimeUnit.SECONDS);
            b.get(20, TimeUnit.SECONDS);
            assertThat(seen).containsExactlyInAnyOrder("shared", "shared", "own", "own");
            ContextLeakGuard.assertPoolClean(pool, 2);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every task saw its own request id when the tenant was set and still when it was restored. */
    private void assertLifo(int tasks) {
        List<String> events = new ArrayList<>(tenant.events);
        assertThat(events).hasSize(2 * tasks);
        var expected = new HashSet<String>();
        for (int i = 0; i < tasks; i++) {
            expected.add("set:t-" + i + "=r-" + i);
            expected.add("restore:t-" + i + "=r-" + i);
        }
        assertThat(new HashSet<>(events)).isEqualTo(expected);
    }
}
