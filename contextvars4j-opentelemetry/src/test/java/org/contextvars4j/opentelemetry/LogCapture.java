package org.contextvars4j.opentelemetry;

import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Captures what a System.Logger prints (through java.util.logging, its default backend) instead
 * of letting it reach the console, so that tests can assert the lines they provoke.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final boolean parentHandlers;
    private final Level level;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(String name, Level level) {
        this.logger = Logger.getLogger(name);
        this.parentHandlers = logger.getUseParentHandlers();
        this.level = logger.getLevel();
        logger.setUseParentHandlers(false);
        logger.setLevel(level);
        logger.addHandler(this);
    }

    static LogCapture of(Class<?> loggerClass, Level level) {
        return of(loggerClass.getName(), level);
    }

    static LogCapture of(String loggerName, Level level) {
        return new LogCapture(loggerName, level);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    List<String> lines() {
        return records.stream()
                .map(r -> r.getLevel() + " " + (r.getParameters() == null ? r.getMessage()
                        : MessageFormat.format(r.getMessage(), r.getParameters())))
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentHandlers);
        logger.setLevel(level);
    }
}
