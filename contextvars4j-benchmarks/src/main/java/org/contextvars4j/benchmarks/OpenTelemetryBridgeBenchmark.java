package org.contextvars4j.benchmarks;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.opentelemetry.ContextVarsStorageProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * OpenTelemetry's context operations through the bridge storage
 * ({@link ContextVarsStorageProvider}), with {@code ourVars} contextvars4j vars set in the current
 * context. Compare with the OpenTelemetry rows of {@code ReadBenchmark} and {@code WriteBenchmark},
 * which use OpenTelemetry's own storage.
 *
 * <p>Rows: {@code currentGet}, {@code Context.current().get(key)} (what {@code Span.current()}
 * does): with vars of ours in the context, {@code current()} returns a context carrying an O(1)
 * snapshot of them, the same object while nothing changed (no allocation; see
 * {@code BridgeFidelityBenchmark}); {@code makeCurrentClose},
 * {@code try (Scope s = Context.current().with(key, v).makeCurrent()) {}}.
 *
 * <p>The benchmarks jar leaves the bridge's service registration out (the peer rows elsewhere
 * measure OpenTelemetry's own storage), so this class installs the bridge with
 * {@link ContextStorage#addWrapper} before OpenTelemetry first chooses its storage in the fork.
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar OpenTelemetryBridgeBenchmark -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class OpenTelemetryBridgeBenchmark {

    static {
        ContextStorage.addWrapper(ignored -> new ContextVarsStorageProvider().get());
    }

    private static final ContextKey<String> KEY = ContextKey.named("key");

    /** How many contextvars4j vars the current context holds besides OpenTelemetry's. */
    @Param({"0", "3"})
    public int ourVars;

    @Setup
    public void setUp() {
        for (int i = 0; i < ourVars; i++) {
            ContextVar.of("v" + i).set("value");
        }
        Context.root().with(KEY, "current").makeCurrent();
    }

    @Benchmark
    public String currentGet() {
        return Context.current().get(KEY);
    }

    @Benchmark
    public Context makeCurrentClose() {
        Context next = Context.current().with(KEY, "next");
        try (Scope s = next.makeCurrent()) {
            return next;
        }
    }
}
