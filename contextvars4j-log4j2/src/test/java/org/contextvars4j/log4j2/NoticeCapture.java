package org.contextvars4j.log4j2;

import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps what the module says through {@link System.Logger} (java.util.logging, its default
 * backend) during a test class, instead of printing it; register it before the extensions whose
 * calls provoke the notices. {@link #lines()} holds "LEVEL message" lines.
 */
final class NoticeCapture implements BeforeAllCallback, AfterAllCallback {

    private static final Logger LOGGER = Logger.getLogger("org.contextvars4j.log4j2");
    private static final List<String> LINES = new CopyOnWriteArrayList<>();

    private static final Handler HANDLER = new Handler() {
        @Override
        public void publish(LogRecord r) {
            LINES.add(r.getLevel() + " " + (r.getParameters() == null ? r.getMessage()
                    : MessageFormat.format(r.getMessage(), r.getParameters())));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    public void beforeAll(ExtensionContext context) {
        LINES.clear();
        LOGGER.setUseParentHandlers(false);
        LOGGER.setLevel(Level.ALL);
        LOGGER.addHandler(HANDLER);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LOGGER.removeHandler(HANDLER);
        LOGGER.setUseParentHandlers(true);
        LOGGER.setLevel(null);
    }

    /** {@return what was said since the test class started} */
    static List<String> lines() {
        return List.copyOf(LINES);
    }
}
