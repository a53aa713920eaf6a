package org.contextvars4j.slf4j;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * A Logback appender that keeps the events it is given, safe to read while appending. Like every
 * deferring appender (AsyncAppender, SocketAppender), it has each event read its MDC at once, on
 * the logging thread.
 */
final class CollectedEvents extends AppenderBase<ILoggingEvent> {

    final List<ILoggingEvent> list = new CopyOnWriteArrayList<>();

    private CollectedEvents() {
    }

    /** {@return a started appender in {@code context}} */
    static CollectedEvents in(LoggerContext context) {
        CollectedEvents events = new CollectedEvents();
        events.setContext(context);
        events.start();
        return events;
    }

    /**
     * {@return a started appender that alone receives what {@code logger} logs}: nothing of it
     * reaches the appenders above it.
     */
    static CollectedEvents only(Logger logger) {
        CollectedEvents events = in(logger.getLoggerContext());
        logger.setAdditive(false);
        logger.addAppender(events);
        return events;
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        list.add(event);
    }

    /** {@return each event as "LEVEL formatted message"} */
    List<String> lines() {
        return list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).collect(Collectors.toList());
    }
}
