package org.contextvars4j.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs in its own JVM with {@code -Dio.opentelemetry.context.enableStrictContext=true} (see the
 * POM): OpenTelemetry's strict mode wraps the bridge and still reports misused scopes.
 */
@ExtendWith(ContextLeakGuard.class)
@DisplayName("strict-context mode wraps the bridge and reports misused scopes")
class BridgeStrictModeTest {

    private static final ContextKey<String> KEY = ContextKey.named("strict-key");

    @BeforeAll
    static void onlyInStrictMode() {
        assumeTrue(Boolean.getBoolean("io.opentelemetry.context.enableStrictContext"), "needs the strict-context JVM");
    }

    @Test
    void contextStorage_strictMode_wrapsTheBridge() {
        assertThat(ContextStorage.get().getClass().getSimpleName()).isEqualTo("StrictContextStorage");
        try (Scope s = Context.root().with(KEY, "v").makeCurrent()) {
            assertThat(Context.current().get(KEY)).isEqualTo("v");
        }
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    void close_onAnotherThread_reportedAsError() throws Exception {
        Scope scope = Context.root().with(KEY, "v").makeCurrent();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        ContextLeakGuard.runOnNewThread("strict-closer", () -> {
            try {
                scope.close();
            } catch (IllegalStateException e) {
                thrown.set(e);
            }
        });
        assertThat(thrown.get()).hasMessageContaining("opened scope, but thread [leak-guard-strict-closer] closed it");
        assertThat(Context.current().get(KEY)).isEqualTo("v");
        scope.close();
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    void scope_neverClosed_reportedWhenCollected() throws Exception {
        try (LogCapture log = LogCapture.of("io.opentelemetry.context.StrictContextStorage", Level.ALL)) {
            // Leaked on purpose; the contextvars4j run still bounds it (the thread is clean after).
            new org.contextvars4j.Context().run(() -> Context.root().with(KEY, "leaked").makeCurrent());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (log.lines().isEmpty() && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }
            assertThat(log.lines()).anySatisfy(line ->
                    assertThat(line).isEqualTo("SEVERE Scope garbage collected before being closed."));
        }
        assertThat(Context.current()).isSameAs(Context.root());
    }
}
