package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.LeakDetection;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With leak detection on, every hand-off the agent instruments checks the worker first: values
 * that uninstrumented code left in a pooled thread's own base context are reported, once per
 * thread, naming the thread and the task that found them.
 */
@ExtendWith(ContextLeakGuard.class)
class LeakDetectionAgentTest {

    private static final ContextVar<String> LEFT = ContextVar.of("left");

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "leaky-worker"));

    @AfterEach
    void restore() throws InterruptedException {
        LeakDetection.disable();
        LeakDetection.setListener(null);
        worker.shutdown();
        assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("S11: a value uninstrumented code left in a pooled thread's base context is reported at the next hand-off")
    void plainTask_afterUninstrumentedSet_baseContextReported() throws Exception {
        List<LeakDetection.Leak> leaks = new CopyOnWriteArrayList<>();
        LeakDetection.setListener(leaks::add);
        LeakDetection.enable(1);
        Token<String> left = worker.submit(new Unpropagated.Scribble(LEFT, null)).get(10, TimeUnit.SECONDS);
        assertThat(leaks).isEmpty();

        assertThat(worker.submit(() -> LEFT.orElse("<none>")).get(10, TimeUnit.SECONDS))
                .as("the propagated task runs in its own copy, not the leftover").isEqualTo("<none>");
        assertThat(worker.submit(() -> "again").get(10, TimeUnit.SECONDS)).isEqualTo("again");

        assertThat(leaks).singleElement().satisfies(leak -> {
            assertThat(leak.kind()).isEqualTo(LeakDetection.Kind.BASE_CONTEXT_NOT_EMPTY);
            assertThat(leak.threadName()).isEqualTo("leaky-worker");
            assertThat(leak.description()).contains("leaky-worker").contains("vars=[left]");
        });
        worker.submit(new Unpropagated.Scribble(LEFT, left)).get(10, TimeUnit.SECONDS);
        assertThat(Unpropagated.workerOf(worker)).isEmpty();
    }
}
