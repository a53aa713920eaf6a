package org.contextvars4j.opentelemetry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts drops per reason and logs them, at most one line per reason per interval, saying how
 * many were not logged since. Text from the wire is shortened and escaped before it is logged.
 */
final class DropReport {

    static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_DETAIL = 80;
    private static final System.Logger LOGGER = System.getLogger(VarBaggagePropagator.class.getName());

    private static final DropReason[] REASONS = DropReason.values();

    private final LongAdder[] counts = new LongAdder[REASONS.length];
    private final AtomicLongArray lastLogged = new AtomicLongArray(REASONS.length);
    private final AtomicLongArray countAtLastLog = new AtomicLongArray(REASONS.length);

    DropReport() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    long count(DropReason reason) {
        return counts[reason.ordinal()].sum();
    }

    long total() {
        long sum = 0;
        for (LongAdder count : counts) {
            sum += count.sum();
        }
        return sum;
    }

    void drop(DropReason reason, String detail) {
        int i = reason.ordinal();
        counts[i].increment();
        long now = System.nanoTime();
        long last = lastLogged.get(i);
        boolean first = countAtLastLog.get(i) == 0 && last == 0;
        if (!first && now - last < LOG_INTERVAL_NANOS) {
            return;
        }
        if (!lastLogged.compareAndSet(i, last, now == 0 ? 1 : now)) {
            return;
        }
        long count = counts[i].sum();
        long unlogged = count - countAtLastLog.getAndSet(i, count) - 1;
        LOGGER.log(System.Logger.Level.WARNING, "dropped baggage ({0}): {1}; {2} more of this kind since the last report",
                reason, shorten(detail), Math.max(0, unlogged));
    }

    /** {@return {@code text} cut to a loggable length, with controls and non-ASCII escaped} */
    static String shorten(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_DETAIL) + 8);
        for (int i = 0; i < text.length() && out.length() < MAX_DETAIL; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (out.length() >= MAX_DETAIL) {
            out.append("... (").append(text.length()).append(" chars)");
        }
        return out.toString();
    }
}
