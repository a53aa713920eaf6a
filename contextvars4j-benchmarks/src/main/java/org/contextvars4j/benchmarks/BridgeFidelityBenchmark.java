package org.contextvars4j.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.LoggingEventVO;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import org.contextvars4j.ContextVar;
import org.contextvars4j.opentelemetry.ContextVarsStorageProvider;
import org.contextvars4j.slf4j.ContextMdc;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.spi.MDCAdapter;

/**
 * The peers' contracts kept by the bridges (issue 21), and what keeping them costs, side by side
 * in one run. Three contextvars4j vars are set in the current context throughout.
 *
 * <p>Rows ({@code <operation>_<implementation>}):
 * <ul>
 *   <li>{@code otelCurrent}: {@code Context.current()} with an OpenTelemetry context attached,
 *       through the bridge ({@code bridge}: returns the same object while nothing changed) and
 *       through OpenTelemetry's own {@code ContextStorage.defaultStorage()}
 *       ({@code otelDefault}, a ThreadLocal). Target: at most 1.2x, 0 B.</li>
 *   <li>{@code logbackEvent}: a Logback {@code LoggingEvent} built with 3 MDC fields and its
 *       MDC read (what an appender does), stock thread-local MDC against the context-backed one
 *       (which hands the context's map to the event, no copy).</li>
 *   <li>{@code logbackSerialize}: the same event turned into a {@code LoggingEventVO} and
 *       Java-serialized, as a {@code SocketAppender} does (a new {@code ObjectOutputStream} per
 *       event here, so both rows carry the stream's own cost). Before issue 21 the
 *       {@code context} row threw {@code NotSerializableException}.</li>
 * </ul>
 *
 * <p>The bridge is installed with {@link ContextStorage#addWrapper} before OpenTelemetry first
 * chooses its storage in the fork (the benchmarks jar leaves its service registration out).
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar BridgeFidelityBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class BridgeFidelityBenchmark {

    static {
        ContextStorage.addWrapper(ignored -> new ContextVarsStorageProvider().get());
    }

    private static final ContextKey<String> KEY = ContextKey.named("key");
    private static final String FQCN = BridgeFidelityBenchmark.class.getName();

    private final ContextStorage otelDefault = ContextStorage.defaultStorage();
    private Logger logbackStock;
    private Logger logbackContext;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);

    private static Logger logbackLogger(MDCAdapter mdc) {
        LoggerContext lc = new LoggerContext();
        if (mdc == ContextMdc.mdcAdapter()) {
            ContextMdc.install(lc);
        } else {
            lc.setMDCAdapter(mdc);
        }
        lc.start();
        return lc.getLogger("bench");
    }

    @Setup
    public void setUp() {
        for (int i = 0; i < 3; i++) {
            ContextVar.of("v" + i).set("value");
        }
        Context attached = Context.root().with(KEY, "current");
        attached.makeCurrent();
        otelDefault.attach(attached);

        MDCAdapter stock = new LogbackMDCAdapter();
        for (MDCAdapter mdc : new MDCAdapter[] {stock, ContextMdc.mdcAdapter()}) {
            mdc.put("request_id", "r-42");
            mdc.put("user", "ada");
            mdc.put("tenant", "acme");
        }
        logbackStock = logbackLogger(stock);
        logbackContext = logbackLogger(ContextMdc.mdcAdapter());
    }

    @Benchmark
    public Context otelCurrent_bridge() {
        return Context.current();
    }

    @Benchmark
    public Context otelCurrent_otelDefault() {
        return otelDefault.current();
    }

    private static LoggingEvent event(Logger logger) {
        LoggingEvent event = new LoggingEvent(FQCN, logger, Level.INFO, "handled", null, null);
        event.getMDCPropertyMap();
        return event;
    }

    @Benchmark
    public LoggingEvent logbackEvent_stock() {
        return event(logbackStock);
    }

    @Benchmark
    public LoggingEvent logbackEvent_context() {
        return event(logbackContext);
    }

    private int serialize(Logger logger) throws IOException {
        bytes.reset();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(LoggingEventVO.build(event(logger)));
        }
        return bytes.size();
    }

    @Benchmark
    public int logbackSerialize_stock() throws IOException {
        return serialize(logbackStock);
    }

    @Benchmark
    public int logbackSerialize_context() throws IOException {
        return serialize(logbackContext);
    }
}
