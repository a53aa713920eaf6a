package org.contextvars4j.benchmarks;

import io.opentelemetry.context.ContextKey;
import io.opentelemetry.extension.kotlin.ContextExtensionsKt;
import java.util.concurrent.TimeUnit;
import kotlin.coroutines.CoroutineContext;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlinx.coroutines.ThreadContextElementKt;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.kotlin.ContextElementKt;
import org.contextvars4j.kotlin.bench.CoroutineRoundTrips;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A coroutine's suspend/resume round trip (issue 23): one {@code yield()} on
 * {@code runBlocking}'s event loop, which restores every thread context element of the coroutine
 * at the suspension and updates it again at the resumption. One invocation runs a coroutine
 * through {@value #ROUND_TRIPS} round trips (the coroutine's creation is spread over them), so
 * time and bytes are per round trip. Rows ({@code element}):
 * <ul>
 *   <li>{@code none}: no element, what kotlinx costs by itself (time and bytes);</li>
 *   <li>{@code ours}: contextvars4j-kotlin's element over a context holding one var;</li>
 *   <li>{@code threadLocal}: kotlinx's {@code ThreadLocal.asContextElement(value)};</li>
 *   <li>{@code openTelemetry}: opentelemetry-extension-kotlin's {@code Context.asContextElement()}
 *       of a context holding one key (OpenTelemetry's default storage: this jar leaves out the
 *       bridge's storage provider).</li>
 * </ul>
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar CoroutineBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CoroutineBenchmark {

    static final int ROUND_TRIPS = 1_000;
    static final ContextVar<String> VAR = ContextVar.of("request_id");
    static final ThreadLocal<String> THREAD_LOCAL = new ThreadLocal<>();
    static final ContextKey<String> KEY = ContextKey.named("request_id");

    @Param({"none", "ours", "threadLocal", "openTelemetry"})
    public String element;

    private CoroutineContext context;

    @Setup
    public void setUp() {
        context = switch (element) {
            case "none" -> EmptyCoroutineContext.INSTANCE;
            case "ours" -> ContextElementKt.asContextElement(new Context().with(VAR, "r-1"));
            case "threadLocal" -> ThreadContextElementKt.asContextElement(THREAD_LOCAL, "r-1");
            case "openTelemetry" -> ContextExtensionsKt.asContextElement(io.opentelemetry.context.Context.root().with(KEY, "r-1"));
            default -> throw new IllegalArgumentException("unknown element: " + element);
        };
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int roundTrip() {
        return CoroutineRoundTrips.yields(context, ROUND_TRIPS);
    }
}
