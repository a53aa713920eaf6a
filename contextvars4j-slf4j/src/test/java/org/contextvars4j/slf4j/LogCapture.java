package org.contextvars4j.slf4j;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * A real Logback logger whose output, printed by a real {@code PatternLayoutEncoder}, is kept in
 * memory and parsed back into {@link Line}s. Either on the SLF4J-provided logger context (the
 * context-backed MDC, through {@code -Dslf4j.provider}) or on a private logger context with
 * Logback's stock thread-local MDC adapter, so the same scenario runs against both.
 */
final class LogCapture {

    static final String PATTERN = "%X{request_id}|%X{user}|%X{tenant}|%msg%n";
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** One printed line: the three MDC fields (empty when absent) and the message. */
    record Line(String requestId, String user, String tenant, String msg) {
        static Line parse(String text) {
            String[] f = text.split("\\|", 4);
            return new Line(f[0], f[1], f[2], f[3]);
        }
    }

    final org.slf4j.Logger logger;
    final MDCAdapter mdc;
    final boolean stock;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Appender<ILoggingEvent> appender;

    private LogCapture(LoggerContext loggerContext, MDCAdapter mdc, boolean stock, boolean async) {
        this.mdc = mdc;
        this.stock = stock;
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(loggerContext);
        encoder.setPattern(PATTERN);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> printer = new OutputStreamAppender<>();
        printer.setContext(loggerContext);
        printer.setEncoder(encoder);
        printer.setOutputStream(out);
        printer.start();
        if (async) {
            AsyncAppender a = new AsyncAppender();
            a.setContext(loggerContext);
            a.setQueueSize(256);
            a.setDiscardingThreshold(0);    // never drop INFO events
            a.setMaxFlushTime(30_000);
            a.addAppender(printer);
            a.start();
            appender = a;
        } else {
            appender = printer;
        }
        Logger l = loggerContext.getLogger("capture." + NAMES.incrementAndGet());
        l.setAdditive(false);
        l.addAppender(appender);
        this.logger = l;
    }

    /** {@return a capture on the logger context SLF4J bound, whose MDC is the current context's} */
    static LogCapture contextBacked(boolean async) {
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        return new LogCapture(lc, MDC.getMDCAdapter(), false, async);
    }

    /** {@return a capture on a private logger context with Logback's stock thread-local MDC} */
    static LogCapture stock(boolean async) {
        LoggerContext lc = new LoggerContext();
        lc.setName("stock-" + NAMES.incrementAndGet());
        lc.setMDCAdapter(new LogbackMDCAdapter());
        lc.start();
        return new LogCapture(lc, lc.getMDCAdapter(), true, async);
    }

    /** {@return every line printed so far, parsed; an async appender is drained and stopped first} */
    List<Line> lines() {
        if (appender instanceof AsyncAppender) {
            appender.stop();
        }
        List<Line> lines = new ArrayList<>();
        for (String text : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!text.isEmpty()) {
                lines.add(Line.parse(text));
            }
        }
        return lines;
    }

    /** {@return the only line whose message is {@code msg}} */
    Line line(String msg) {
        List<Line> found = lines().stream().filter(l -> l.msg().equals(msg)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one line '" + msg + "', found " + found + " in " + lines());
        }
        return found.get(0);
    }
}
