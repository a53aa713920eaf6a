package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Run only with the OpenTelemetry Java agent attached beside ours (see the pom): both agents
 * instrument the same executors, and both contexts still arrive, through a raw pool, a plain
 * {@code CompletableFuture} (async and completed on another thread) and a fork/join pool.
 */
@ExtendWith(ContextLeakGuard.class)
class OpenTelemetryAgentCoexistenceTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ForkJoinPool forkJoin = new ForkJoinPool(2);

    @AfterEach
    void shutDown() {
        pool.shutdownNow();
        forkJoin.shutdownNow();
    }

    private static String both() {
        return Span.current().getSpanContext().getSpanId() + "/" + REQUEST.orElse("<none>");
    }

    @Test
    @DisplayName("with the OpenTelemetry agent too: spans still link and our values still propagate")
    void bothAgents_rawPoolFutureForkJoin_spanAndValueArrive() throws Exception {
        Span parent = GlobalOpenTelemetry.getTracer("contextvars4j-agent-test").spanBuilder("request").startSpan();
        assertThat(parent.getSpanContext().isValid()).as("the OpenTelemetry agent is attached").isTrue();
        String expected = parent.getSpanContext().getSpanId() + "/both";
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> stage;
        try (Scope s = parent.makeCurrent(); Token<String> t = REQUEST.set("both")) {
            assertThat(pool.submit(OpenTelemetryAgentCoexistenceTest::both).get(10, TimeUnit.SECONDS))
                    .isEqualTo(expected);
            assertThat(CompletableFuture.supplyAsync(OpenTelemetryAgentCoexistenceTest::both, pool)
                    .get(10, TimeUnit.SECONDS)).isEqualTo(expected);
            assertThat(forkJoin.submit(OpenTelemetryAgentCoexistenceTest::both).get(10, TimeUnit.SECONDS))
                    .isEqualTo(expected);
            stage = source.thenApply(v -> REQUEST.orElse("<none>"));
        } finally {
            parent.end();
        }
        pool.submit(() -> source.complete("x")).get(10, TimeUnit.SECONDS);
        assertThat(stage.get(10, TimeUnit.SECONDS)).as("a stage run by the completing thread").isEqualTo("both");
    }
}
