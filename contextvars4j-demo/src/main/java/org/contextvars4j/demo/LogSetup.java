package org.contextvars4j.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logback, set up in code: every line goes to one file of the run's output directory, in a
 * pattern that shows the service, request id and user. The console gets nothing, so that it
 * stays the report's.
 */
final class LogSetup {

    private LogSetup() {
    }

    /** Service, request id and user from the MDC: the context-backed one in the library run, stock in the naive one. */
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] svc=%X{service} rid=%X{request_id} user=%X{user}"
            + " %logger{0} - %msg%n";

    /**
     * Sends every log line to {@code file} in {@link #PATTERN}; replaces any earlier setup.
     *
     * @param flushEachLine whether each line reaches the file at once ({@code --serve}, where a
     *        user reads it while trying the examples), or buffered (the load run, flushed by
     *        {@link #stop()})
     */
    static void toFile(Path file, boolean flushEachLine) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> file0 = new FileAppender<>();
        file0.setContext(context);
        file0.setName("demo-file");
        file0.setFile(file.toString());
        file0.setAppend(false);
        file0.setEncoder(encoder);
        file0.setImmediateFlush(flushEachLine);
        file0.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(file0);
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        context.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
    }

    /** Stops the appenders (flushes the file). */
    static void stop() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).reset();
    }
}
