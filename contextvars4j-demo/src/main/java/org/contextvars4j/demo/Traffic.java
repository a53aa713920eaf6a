package org.contextvars4j.demo;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the service refused or lost since it started, by kind ({@code "400 forged baggage"},
 * {@code "401 invalid token"}, {@code "aborted upload"}, ...): the hostile-input lines of the
 * {@code --serve} report and of {@code /stats}. One per run: {@link Demo} starts a new one.
 */
final class Traffic {

    /** The kind counted for a client that closed the connection while it sent a body. */
    static final String ABORTED_UPLOAD = "aborted upload (client disconnected)";

    private static volatile Traffic current = new Traffic();

    private final Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();

    private Traffic() {
    }

    /** Starts counting afresh, for a new run. */
    static void reset() {
        current = new Traffic();
    }

    /** Counts one refusal with {@code status} for {@code reason}. */
    static void rejected(int status, String reason) {
        count(status + " " + kind(reason));
    }

    /** Counts one request of {@code kind}. */
    static void count(String kind) {
        current.byKind.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    /** {@return the counts so far, sorted by kind} */
    static Map<String, Integer> snapshot() {
        Map<String, Integer> sorted = new TreeMap<>();
        current.byKind.forEach((k, v) -> sorted.put(k, v.get()));
        return sorted;
    }

    /** The reason without what varies per request (ids, sizes, names). */
    private static String kind(String reason) {
        if (reason.startsWith("orders of user")) {
            return "another user's orders";
        }
        if (reason.startsWith("no route")) {
            return "unknown route";
        }
        if (reason.startsWith("body of")) {
            return "body too large";
        }
        if (reason.startsWith("unknown user")) {
            return "unknown user";
        }
        int colon = reason.indexOf(':');
        return colon < 0 ? reason : reason.substring(0, colon);
    }
}
