package org.contextvars4j.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The story with OpenTelemetry: both bridges keep their context in the contextvars4j context
 * (this module's gRPC storage override, contextvars4j-opentelemetry's storage provider), and no
 * grpc-context-override-opentelemetry is on the path. Then every hand-off, whoever's, carries
 * all three.
 */
@ExtendWith(ContextLeakGuard.class)
class OpenTelemetryInterplayTest {

    private static final io.grpc.Context.Key<String> KEY = io.grpc.Context.key("grpc-key");
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() throws Exception {
        ContextLeakGuard.assertPoolClean(pool, 2);
        pool.shutdown();
    }

    private static String seen() {
        return KEY.get() + "/" + Baggage.current().getEntryValue("otel-key");
    }

    private static String through(java.util.concurrent.Executor executor) throws Exception {
        io.grpc.Context grpc = io.grpc.Context.current().withValue(KEY, "g");
        io.grpc.Context previous = grpc.attach();
        try (Scope otel = Baggage.builder().put("otel-key", "o").build().makeCurrent()) {
            CompletableFuture<String> result = new CompletableFuture<>();
            executor.execute(() -> result.complete(seen()));
            return result.get(5, TimeUnit.SECONDS);
        } finally {
            grpc.detach(previous);
        }
    }

    @Test
    void contextvarsHandOff_carriesGrpcAndOpenTelemetry() throws Exception {
        assertThat(through(ContextExecutors.wrap(pool))).isEqualTo("g/o");
    }

    @Test
    void grpcCurrentContextExecutor_carriesOpenTelemetry() throws Exception {
        assertThat(through(io.grpc.Context.currentContextExecutor(pool))).isEqualTo("g/o");
    }

    @Test
    void openTelemetryTaskWrapping_carriesGrpc() throws Exception {
        assertThat(through(io.opentelemetry.context.Context.taskWrapping(pool))).isEqualTo("g/o");
    }
}
