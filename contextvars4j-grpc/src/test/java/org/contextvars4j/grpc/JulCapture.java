package org.contextvars4j.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Holds the records of one java.util.logging logger while open, and keeps them off the console. */
final class JulCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final boolean parents;
    private final List<LogRecord> records = new ArrayList<>();

    JulCapture(String loggerName) {
        logger = Logger.getLogger(loggerName);
        parents = logger.getUseParentHandlers();
        setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parents);
    }
}
