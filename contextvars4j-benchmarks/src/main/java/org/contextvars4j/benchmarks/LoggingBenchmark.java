package org.contextvars4j.benchmarks;

import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.log4j2.ContextThreadContextMap;
import org.contextvars4j.slf4j.ContextMdc;
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
import org.slf4j.spi.MDCAdapter;

/**
 * The MDC backed by the current context against the stock thread-local MDCs, in one run.
 *
 * <p>SLF4J binds one provider per JVM, so the rows do not go through {@code org.slf4j.MDC}:
 * each side uses its own adapter and its own Logback {@code LoggerContext} directly, which is
 * exactly what the static {@code MDC} and {@code LoggerFactory} delegate to. Log4j chooses its
 * thread-context map once per JVM too, so each Log4j row runs in a fork of its own: with
 * contextvars4j-log4j2 in the jar the context-backed map is the default, so the
 * {@code log4j2Stock} row asks for Log4j's own with {@code -Dlog4j2.threadContextMap=WebApp}, and
 * the {@code log4j2Context} row names ours.
 *
 * <p>Rows ({@code <operation>_<implementation>}):
 * <ul>
 *   <li>{@code putRemove}: {@code put("k", v)} then {@code remove("k")} of a new key, with 3
 *       other fields present; {@code setReset_core} is the core's
 *       {@code try (Token t = var.set(v)) { }}, the target's reference; {@code putRemove_log4j2Context}
 *       is the same pair on Log4j's {@code ContextThreadContextMap} (called directly, so it
 *       needs no fork of its own).</li>
 *   <li>{@code get}: read one of the 3 fields.</li>
 *   <li>{@code log}: one {@code logger.info("...")} with 3 MDC fields, to an appender that only
 *       reads one field of the event's MDC (what any layout with {@code %X} does): Logback with
 *       its stock MDC, Logback with the context-backed MDC, Log4j 2 with its stock thread
 *       context, and Log4j 2 with the context-backed map.</li>
 * </ul>
 *
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar LoggingBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class LoggingBenchmark {

    private static final ContextVar<String> VAR = ContextVar.of("bench");

    private final MDCAdapter stockMdc = new LogbackMDCAdapter();
    private final MDCAdapter contextMdc = ContextMdc.mdcAdapter();
    private final ContextThreadContextMap contextThreadContext = new ContextThreadContextMap();
    private org.slf4j.Logger logbackStock;
    private org.slf4j.Logger logbackContext;
    private org.apache.logging.log4j.Logger log4j;

    /** A Logback appender that reads one MDC field of each event and drops the event. */
    static final class ReadingLogbackAppender extends AppenderBase<ILoggingEvent> {
        volatile Object sink;

        @Override
        protected void append(ILoggingEvent event) {
            sink = event.getMDCPropertyMap().get("request_id");
        }
    }

    /** The same for Log4j 2. */
    static final class ReadingLog4jAppender extends AbstractAppender {
        volatile Object sink;

        ReadingLog4jAppender() {
            super("reading", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            sink = event.getContextData().getValue("request_id");
        }
    }

    private static org.slf4j.Logger logbackLogger(MDCAdapter mdc) {
        ch.qos.logback.classic.LoggerContext lc = new ch.qos.logback.classic.LoggerContext();
        if (mdc == ContextMdc.mdcAdapter()) {
            ContextMdc.install(lc);
        } else {
            lc.setMDCAdapter(mdc);
        }
        lc.start();
        ReadingLogbackAppender appender = new ReadingLogbackAppender();
        appender.setContext(lc);
        appender.start();
        ch.qos.logback.classic.Logger logger = lc.getLogger("bench");
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(appender);
        return logger;
    }

    @Setup
    public void setUp() {
        for (MDCAdapter mdc : new MDCAdapter[] {stockMdc, contextMdc}) {
            mdc.put("request_id", "r-42");
            mdc.put("user", "ada");
            mdc.put("tenant", "acme");
        }
        contextThreadContext.put("request_id", "r-42");
        contextThreadContext.put("user", "ada");
        contextThreadContext.put("tenant", "acme");
        logbackStock = logbackLogger(stockMdc);
        logbackContext = logbackLogger(contextMdc);

        ThreadContext.put("request_id", "r-42");
        ThreadContext.put("user", "ada");
        ThreadContext.put("tenant", "acme");
        org.apache.logging.log4j.core.LoggerContext lc = (org.apache.logging.log4j.core.LoggerContext) LogManager.getContext(false);
        Configuration config = lc.getConfiguration();
        ReadingLog4jAppender appender = new ReadingLog4jAppender();
        appender.start();
        config.addAppender(appender);
        LoggerConfig loggerConfig = LoggerConfig.newBuilder()
                .setLoggerName("bench").setLevel(Level.INFO).setAdditivity(false).setConfig(config).build();
        loggerConfig.addAppender(appender, null, null);
        config.addLogger("bench", loggerConfig);
        lc.updateLoggers();
        log4j = lc.getLogger("bench");
    }

    @Benchmark
    public void putRemove_logbackStock() {
        stockMdc.put("k", "v");
        stockMdc.remove("k");
    }

    @Benchmark
    public void putRemove_context() {
        contextMdc.put("k", "v");
        contextMdc.remove("k");
    }

    @Benchmark
    public void putRemove_log4j2Context() {
        contextThreadContext.put("k", "v");
        contextThreadContext.remove("k");
    }

    @Benchmark
    @SuppressWarnings("try")
    public void setReset_core() {
        try (Token<String> t = VAR.set("v")) {
            // the override and its undo, nothing in between
        }
    }

    @Benchmark
    public String get_logbackStock() {
        return stockMdc.get("user");
    }

    @Benchmark
    public String get_context() {
        return contextMdc.get("user");
    }

    @Benchmark
    public void log_logbackStock() {
        logbackStock.info("handled");
    }

    @Benchmark
    public void log_logbackContext() {
        logbackContext.info("handled");
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-Dlog4j2.threadContextMap=WebApp")
    public void log_log4j2Stock() {
        log4j.info("handled");
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-Dlog4j2.threadContextMap=org.contextvars4j.log4j2.ContextThreadContextMap")
    public void log_log4j2Context() {
        log4j.info("handled");
    }
}
