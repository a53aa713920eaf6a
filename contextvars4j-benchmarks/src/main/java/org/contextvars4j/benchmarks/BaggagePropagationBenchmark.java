package org.contextvars4j.benchmarks;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.opentelemetry.VarBaggagePropagator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cross-process propagation of three values: inject into a header map, then extract from it.
 *
 * <p>Rows:
 * <ul>
 *   <li>{@code vars}: {@link VarBaggagePropagator} with three string vars set in the current
 *       contextvars4j context ({@code cv.tenant}, {@code cv.user_id}, {@code cv.tier}); extract
 *       returns a context carrying a copy of the contextvars4j context with the three vars set;
 *   <li>{@code otelBaggage}: OpenTelemetry's {@code W3CBaggagePropagator} with the same three
 *       entries in the {@code Baggage} of the injected context; extract returns a context with the
 *       parsed {@code Baggage}.
 * </ul>
 * Neither row makes the extracted context current. The bridge's storage provider is not in the
 * benchmarks jar, so {@code Context.current()} is OpenTelemetry's own.
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar BaggagePropagationBenchmark -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class BaggagePropagationBenchmark {

    private static final ContextVar<String> TENANT = ContextVar.of("tenant");
    private static final ContextVar<String> USER_ID = ContextVar.of("user_id");
    private static final ContextVar<String> TIER = ContextVar.of("tier");

    private static final TextMapSetter<Map<String, String>> SETTER = Map::put;
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier.get(key);
        }
    };

    private VarBaggagePropagator vars;
    private W3CBaggagePropagator otel;
    private Context otelContext;

    @Setup
    public void setUp() {
        vars = VarBaggagePropagator.builder().allow(TENANT).allow(USER_ID).allow(TIER).build();
        otel = W3CBaggagePropagator.getInstance();
        // Set on the benchmark thread (Scope.Thread setup runs there) and kept for the run.
        TENANT.set("acme-corp");
        USER_ID.set("1234567");
        TIER.set("gold");
        otelContext = Context.root().with(Baggage.builder()
                .put("cv.tenant", "acme-corp").put("cv.user_id", "1234567").put("cv.tier", "gold").build());
    }

    @Benchmark
    public Context vars() {
        Map<String, String> headers = new HashMap<>();
        vars.inject(Context.current(), headers, SETTER);
        return vars.extract(Context.root(), headers, GETTER);
    }

    @Benchmark
    public Context otelBaggage() {
        Map<String, String> headers = new HashMap<>();
        otel.inject(otelContext, headers, SETTER);
        return otel.extract(Context.root(), headers, GETTER);
    }
}
