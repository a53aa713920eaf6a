package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code setValue} enters a fresh copy of the captured context without the S7 compare-and-set
 * (issue 26): the copy is made for one installation, so no other thread can enter it; the
 * captured context itself is never entered, and two installations never share a context.
 */
@ExtendWith(ContextLeakGuard.class)
class FreshEntryTest {

    private static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");

    private final ContextThreadLocalAccessor accessor = new ContextThreadLocalAccessor();

    @Test
    @DisplayName("S7: one captured context installed on two threads at once: each runs in its own copy, the captured one is never entered or changed")
    void setValue_sameCaptureOnTwoThreads_eachInOwnCopy() throws Exception {
        Context captured = new Context().with(REQUEST_ID, "captured");
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> seen = new ArrayList<>();
            for (String own : List.of("first", "second")) {
                seen.add(threads.submit(() -> {
                    accessor.setValue(captured);
                    try {
                        assertThat(REQUEST_ID.get()).isEqualTo("captured");
                        together.await(10, TimeUnit.SECONDS);       // both installed at once
                        assertThat(captured.isEntered()).isFalse();
                        REQUEST_ID.set(own);
                        together.await(10, TimeUnit.SECONDS);       // both have set
                        return REQUEST_ID.get();
                    } finally {
                        accessor.restore(captured);
                    }
                }));
            }
            assertThat(seen.get(0).get()).isEqualTo("first");
            assertThat(seen.get(1).get()).isEqualTo("second");
            assertThat(captured.get(REQUEST_ID)).isEqualTo("captured");
            ContextLeakGuard.assertPoolClean(threads, 2);
        } finally {
            threads.shutdown();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    @DisplayName("S6: a set during one installation is seen neither by the captured context nor by the next installation on the same thread")
    void setValue_setDuringInstall_notSeenByNextInstall() {
        Context captured = new Context().with(REQUEST_ID, "captured");
        accessor.setValue(captured);
        REQUEST_ID.set("changed");
        accessor.restore(captured);
        assertThat(captured.get(REQUEST_ID)).isEqualTo("captured");
        accessor.setValue(captured);
        try {
            assertThat(REQUEST_ID.get()).isEqualTo("captured");
        } finally {
            accessor.restore(captured);
        }
        assertThat(REQUEST_ID.orElse(null)).isNull();
    }
}
