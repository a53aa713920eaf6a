package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** P1, P2, P3 on virtual threads (JDK 21+; compiled only by the jdk21-tests profile). */
@ExtendWith(ContextLeakGuard.class)
class VirtualThreadPropagationTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");

    @Test
    void ofVirtual_startsEmpty_P1() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        try (Token<String> t = REQ.set("parent")) {
            Thread.ofVirtual().start(() -> seen.set(REQ.orElse("none"))).join();
        }
        assertThat(seen.get()).isEqualTo("none");
    }

    @Test
    void wrappedVirtualFactory_threadPerTaskExecutor_capturesAtSubmit_P3() throws Exception {
        ThreadFactory factory = ContextThreads.wrap(Thread.ofVirtual().name("ctx-virtual-", 0).factory());
        try (ExecutorService executor = Executors.newThreadPerTaskExecutor(factory)) {
            Future<String> a;
            Future<String> b;
            try (Token<String> t = REQ.set("first")) {
                a = executor.submit(() -> {
                    String v = REQ.get();
                    REQ.set("changed");
                    return v + "@" + Thread.currentThread().isVirtual();
                });
            }
            try (Token<String> t = REQ.set("second")) {
                b = executor.submit(() -> REQ.get());
                assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("first@true");
                assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("second");
                assertThat(REQ.get()).isEqualTo("second");
            }
        }
    }

    @Test
    void wrappedVirtualThreadPerTaskExecutor_P2() throws Exception {
        try (ExecutorService executor = ContextExecutors.wrap(Executors.newVirtualThreadPerTaskExecutor());
                Token<String> t = REQ.set("submitter")) {
            assertThat(executor.submit(() -> REQ.get()).get(10, TimeUnit.SECONDS)).isEqualTo("submitter");
        }
    }

    @Test
    void tenThousandVirtualThreads_eachOwnValue_noCrossTalk_P3() throws Exception {
        ThreadFactory factory = ContextThreads.wrap(Thread.ofVirtual().factory());
        LongAdder wrong = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String mine = "v-" + i;
            try (Token<String> t = REQ.set(mine)) {
                threads.add(factory.newThread(() -> {
                    Thread.yield();
                    if (!mine.equals(REQ.get())) {
                        wrong.increment();
                    }
                    REQ.set("overwritten-" + mine);
                    Thread.yield();
                    if (!("overwritten-" + mine).equals(REQ.get())) {
                        wrong.increment();
                    }
                }));
            }
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(wrong.sum()).isZero();
    }

    @Test
    void startInContext_helperWorksForVirtualThreadsViaWrap_P3() throws Exception {
        Context ctx = new Context();
        ctx.run(() -> REQ.set("given"));
        AtomicReference<String> seen = new AtomicReference<>();
        Thread.ofVirtual().start(ctx.wrap(() -> seen.set(REQ.get()))).join();
        assertThat(seen.get()).isEqualTo("given");
    }
}
