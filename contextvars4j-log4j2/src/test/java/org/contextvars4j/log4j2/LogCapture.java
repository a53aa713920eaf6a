package org.contextvars4j.log4j2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.OutputStreamAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * A real Log4j logger whose output, printed by a real {@code PatternLayout}, is kept in memory
 * and parsed back into {@link Line}s: a logger of its own with a synchronous logger config, or
 * the {@code async} async logger of {@code log4j2-test.xml}.
 */
final class LogCapture implements AutoCloseable {

    static final String PATTERN = "%X{request_id}|%X{user}|%X{tenant}|%m%n";
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** One printed line: the three fields (empty when absent) and the message. */
    record Line(String requestId, String user, String tenant, String msg) {
        static Line parse(String text) {
            String[] f = text.split("\\|", 4);
            return new Line(f[0], f[1], f[2], f[3]);
        }
    }

    final Logger logger;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final OutputStreamAppender appender;
    private final LoggerConfig loggerConfig;
    private final LoggerContext loggerContext;
    private final boolean ownConfig;

    LogCapture(boolean async) {
        loggerContext = (LoggerContext) LogManager.getContext(false);
        Configuration config = loggerContext.getConfiguration();
        String name = "capture-" + NAMES.incrementAndGet();
        appender = OutputStreamAppender.newBuilder()
                .setName(name)
                .setTarget(out)
                .setLayout(PatternLayout.newBuilder().setPattern(PATTERN).setConfiguration(config).build())
                .build();
        appender.start();
        config.addAppender(appender);
        if (async) {
            loggerConfig = config.getLoggerConfig("async");
            ownConfig = false;
        } else {
            loggerConfig = LoggerConfig.newBuilder()
                    .setLoggerName(name).setLevel(Level.INFO).setAdditivity(false).setConfig(config)
                    .build();
            config.addLogger(name, loggerConfig);
            ownConfig = true;
        }
        loggerConfig.addAppender(appender, null, null);
        loggerContext.updateLoggers();
        logger = loggerContext.getLogger(async ? "async" : name);
    }

    /** {@return every line printed so far, parsed} */
    List<Line> lines() {
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

    /** Drains the async logger's ring buffer (waits until its events are printed), detaches. */
    @Override
    public void close() {
        if (ownConfig) {
            loggerContext.getConfiguration().removeLogger(loggerConfig.getName());
        } else {
            loggerConfig.removeAppender(appender.getName());
        }
        loggerContext.updateLoggers();
        appender.stop();
    }
}
