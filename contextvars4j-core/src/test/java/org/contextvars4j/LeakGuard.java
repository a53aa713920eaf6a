package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leak guard every test class calls after each test: the thread's current context must be
 * what it was before the test ran (a thread that never set anything has none; a test that sets
 * on the thread's base context must reset it).
 */
final class LeakGuard {

    private LeakGuard() {
    }

    /** Asserts that the calling thread has no entered context and an empty base context. */
    static void assertClean() {
        Context current = Storage.currentOrNull();
        if (current != null) {
            assertThat(current.isEntered())
                    .as("a test left a context entered on %s: %s", Thread.currentThread().getName(), current)
                    .isFalse();
            assertThat(current.isEmpty())
                    .as("a test left values in the base context of %s: %s", Thread.currentThread().getName(), current)
                    .isTrue();
        }
    }
}
