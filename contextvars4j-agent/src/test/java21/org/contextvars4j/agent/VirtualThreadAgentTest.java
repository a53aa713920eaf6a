package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thread-per-task executors with the agent (JDK 21+): every task handed to
 * {@code newVirtualThreadPerTaskExecutor()} or {@code newThreadPerTaskExecutor(factory)} runs in
 * a copy of the submitter's context; a thread started directly still starts empty (P1).
 */
@ExtendWith(ContextLeakGuard.class)
class VirtualThreadAgentTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    @Test
    @DisplayName("P2: execute, submit and invokeAll on a virtual-thread-per-task executor capture at submission")
    void virtualThreadPerTask_everyMethod_submittersContext() throws Exception {
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicReference<String> executed = new AtomicReference<>();
            AtomicReference<String> ran = new AtomicReference<>();
            Future<String> submitted;
            List<Future<String>> invoked;
            Future<?> runnable;
            try (Token<String> t = REQUEST.set("virtual")) {
                vt.execute(() -> executed.set(REQUEST.get() + "@" + Thread.currentThread().isVirtual()));
                submitted = vt.submit(() -> {
                    REQUEST.set("set-in-task");
                    return REQUEST.get();
                });
                runnable = vt.submit(() -> ran.set(REQUEST.get()));
                invoked = vt.invokeAll(List.of(REQUEST::get, REQUEST::get));
                assertThat(submitted.get(10, TimeUnit.SECONDS)).isEqualTo("set-in-task");
                assertThat(REQUEST.get()).isEqualTo("virtual");
            }
            runnable.get(10, TimeUnit.SECONDS);
            for (Future<String> f : invoked) {
                assertThat(f.get()).isEqualTo("virtual");
            }
            vt.shutdown();
            assertThat(vt.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(executed).hasValue("virtual@true");
            assertThat(ran).hasValue("virtual");
        }
    }

    @Test
    @DisplayName("P2: a thread-per-task executor with a platform thread factory captures at submission")
    void threadPerTask_platformFactory_submittersContext() throws Exception {
        try (ExecutorService each = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())) {
            try (Token<String> t = REQUEST.set("platform")) {
                assertThat(each.submit(REQUEST::get).get(10, TimeUnit.SECONDS)).isEqualTo("platform");
            }
        }
    }

    @Test
    @DisplayName("P1: a virtual or platform thread started directly still starts empty")
    void newThread_started_startsEmpty() throws Exception {
        AtomicReference<String> virtual = new AtomicReference<>();
        AtomicReference<String> platform = new AtomicReference<>();
        try (Token<String> t = REQUEST.set("creator")) {
            Thread.ofVirtual().start(() -> virtual.set(REQUEST.orElse("<empty>"))).join();
            Thread.ofPlatform().start(() -> platform.set(REQUEST.orElse("<empty>"))).join();
        }
        assertThat(virtual).hasValue("<empty>");
        assertThat(platform).hasValue("<empty>");
    }
}
