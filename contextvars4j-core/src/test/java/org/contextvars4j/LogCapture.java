package org.contextvars4j;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the library logs through {@link System.Logger} (backed by java.util.logging in
 * the test JVM) under one logger name, instead of printing it: tests that provoke a log on
 * purpose assert it, and a green build prints no stack traces. On the module path the test JVM
 * gets {@code --add-reads org.contextvars4j=java.logging} (see the core pom).
 */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final boolean useParent;
    private final Handler handler;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        useParent = logger.getUseParentHandlers();
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    /** {@return a capture of the logger named after {@code source}}; close it to print again */
    static LogCapture of(Class<?> source) {
        return new LogCapture(source);
    }

    /** {@return the captured records, oldest first} */
    List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(useParent);
    }
}
