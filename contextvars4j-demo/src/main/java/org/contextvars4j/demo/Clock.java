package org.contextvars4j.demo;

/** Microseconds since the demo started: one clock for both instances (they share the JVM). */
final class Clock {

    private static final long START = System.nanoTime();

    private Clock() {
    }

    static long micros() {
        return (System.nanoTime() - START) / 1_000;
    }
}
