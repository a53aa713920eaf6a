package org.contextvars4j.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.pattern.DynamicConverter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
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

    static String pattern(String service, String requestId, String user) {
        return "%d{HH:mm:ss.SSS} %-5level [%thread] svc=" + service + " rid=" + requestId + " user=" + user
                + " %logger{0} - %msg%n";
    }

    /** Sends every log line to {@code file} in {@code pattern}; replaces any earlier setup. */
    static void toFile(Path file, String pattern) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        @SuppressWarnings("unchecked")
        Map<String, Supplier<DynamicConverter<?>>> rules = (Map<String, Supplier<DynamicConverter<?>>>) context
                .getObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        }
        rules.put("cv", ContextVarConverter::new);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        FileAppender<ILoggingEvent> file0 = new FileAppender<>();
        file0.setContext(context);
        file0.setName("demo-file");
        file0.setFile(file.toString());
        file0.setAppend(false);
        file0.setEncoder(encoder);
        file0.setImmediateFlush(false);
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

    /**
     * Interim log bridge, on the core API only: {@code %cv{name}} prints the named request variable
     * of the current context.
     */
    public static final class ContextVarConverter extends ClassicConverter {
        private String name;

        /** Created by Logback. */
        public ContextVarConverter() {
        }

        @Override
        public void start() {
            name = getFirstOption();
            super.start();
        }

        @Override
        public String convert(ILoggingEvent event) {
            String value = LibraryState.logValue(name);
            return value == null ? "" : value;
        }
    }
}
