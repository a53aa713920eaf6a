package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("Reactor automatic context propagation carries the contextvars4j Context (P2, P6)")
class ReactorPropagationTest {

    private static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");
    private static final ContextVar<String> FROM_REACTOR = ContextVar.of("from_reactor");

    @BeforeEach
    void enable() {
        Hooks.enableAutomaticContextPropagation();
    }

    @AfterEach
    void disable() {
        Hooks.disableAutomaticContextPropagation();
    }

    /** Where each pipeline looks at its request id; records every thread it ran on. */
    private static final class Checks {
        final AtomicInteger seen = new AtomicInteger();
        final Queue<String> mismatches = new ConcurrentLinkedQueue<>();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();

        <T> T check(String expected, String where, T value) {
            String actual = REQUEST_ID.orElse(null);
            seen.incrementAndGet();
            threads.add(Thread.currentThread());
            if (!expected.equals(actual)) {
                mismatches.add(where + ": expected " + expected + ", saw " + actual + " on " + Thread.currentThread().getName());
            }
            return value;
        }
    }

    private static Mono<List<Integer>> pipeline(String id, Checks checks) {
        return Flux.range(0, 4)
                .publishOn(Schedulers.parallel())
                .map(n -> checks.check(id, "publishOn(parallel)", n))
                .delayElements(Duration.ofMillis(1))
                .map(n -> checks.check(id, "delayElements", n))
                .flatMap(n -> Mono.fromCallable(() -> checks.check(id, "subscribeOn(boundedElastic)", n))
                        .subscribeOn(Schedulers.boundedElastic()))
                .publishOn(Schedulers.boundedElastic())
                .map(n -> checks.check(id, "publishOn(boundedElastic)", n))
                .flatMap(n -> Mono.just(n).delayElement(Duration.ofMillis(1), Schedulers.parallel())
                        .map(m -> checks.check(id, "flatMap(delayElement(parallel))", m)))
                .collectList();
    }

    @Test
    @DisplayName("P2: 1,000 concurrent pipelines, each with its own request id, see only their own id on every hop; every scheduler thread is clean afterwards")
    void pipelines_thousandConcurrentAcrossSchedulers_noMismatchAndThreadsClean() throws Exception {
        int pipelines = 1_000;
        Checks checks = new Checks();
        CountDownLatch done = new CountDownLatch(pipelines);
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        Map<String, Integer> sizes = new ConcurrentHashMap<>();
        for (int i = 0; i < pipelines; i++) {
            String id = "r-" + i;
            try (Token<String> t = REQUEST_ID.set(id)) {
                pipeline(id, checks).subscribe(list -> sizes.put(id, list.size()),
                        e -> { errors.add(e); done.countDown(); }, done::countDown);
            }
        }
        assertThat(done.await(50, TimeUnit.SECONDS)).as("all pipelines finished").isTrue();
        assertThat(errors).isEmpty();
        assertThat(sizes).hasSize(pipelines).allSatisfy((id, size) -> assertThat(size).isEqualTo(4));
        assertThat(checks.mismatches).isEmpty();
        assertThat(checks.seen.get()).isEqualTo(pipelines * 4 * 5);

        Hooks.disableAutomaticContextPropagation();   // the probes below must run unwrapped
        assertSchedulerClean(Schedulers.parallel(), "parallel-", checks.threads);
        assertSchedulerClean(Schedulers.boundedElastic(), "boundedElastic-", checks.threads);
    }

    @Test
    @DisplayName("P6: a value written with contextWrite shows as a ContextVar upstream, on scheduler threads, through ContextVarAccessor")
    void contextWrite_keyRegisteredAsContextVar_varSeesValueUpstream() throws Exception {
        ContextRegistry registry = ContextRegistry.getInstance();
        registry.registerThreadLocalAccessor(ContextVarAccessor.of("fromReactor", FROM_REACTOR));
        try {
            List<String> seen = Flux.range(0, 3)
                    .publishOn(Schedulers.boundedElastic())
                    .map(n -> FROM_REACTOR.get() + "/" + REQUEST_ID.orElse("none"))
                    .flatMap(s -> Mono.fromCallable(() -> s + "/" + FROM_REACTOR.get()).subscribeOn(Schedulers.parallel()))
                    .contextWrite(Context.of("fromReactor", "tenant-7"))
                    .collectList()
                    .block(Duration.ofSeconds(20));
            assertThat(seen).containsOnly("tenant-7/none/tenant-7");
            assertThat(FROM_REACTOR.orElse(null)).isNull();
        } finally {
            awaitSchedulersIdle();
            registry.removeThreadLocalAccessor("fromReactor");
        }
    }

    @Test
    @DisplayName("P2: block() captures the caller's context and each subscription gets its own copy: a set inside does not reach the caller")
    void block_setInsidePipeline_callerUnchanged() {
        try (Token<String> t = REQUEST_ID.set("caller")) {
            String inside = Mono.fromCallable(() -> {
                        String before = REQUEST_ID.get();
                        REQUEST_ID.set("changed-inside");   // left unreset on purpose: the copy is discarded
                        return before;
                    })
                    .subscribeOn(Schedulers.boundedElastic())
                    .block(Duration.ofSeconds(20));
            assertThat(inside).isEqualTo("caller");
            assertThat(REQUEST_ID.get()).isEqualTo("caller");
        }
    }

    /**
     * Waits until no scheduler thread is running Reactor, Micrometer or contextvars4j code, so that
     * a test may unregister an accessor afterwards. Reactor delivers a value to {@code block()}
     * before the worker closes its Micrometer scope, and Micrometer's scope close walks the
     * registry as it is then: an accessor removed in between is never restored, and its value stays
     * on the worker (a full-suite run found {@code tenant=acme} left on a parallel thread).
     */
    static void awaitSchedulersIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            List<String> busy = new ArrayList<>();
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                String name = e.getKey().getName();
                if ((name.startsWith("parallel-") || name.startsWith("boundedElastic-")) && inFlight(e.getValue())) {
                    busy.add(name);
                }
            }
            if (busy.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("scheduler threads still busy after 20 s: " + busy);
            }
            Thread.sleep(5);
        }
    }

    private static boolean inFlight(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            String cls = frame.getClassName();
            if (cls.startsWith("reactor.core.publisher.") || cls.startsWith("io.micrometer.context.")
                    || cls.startsWith("org.contextvars4j.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs one unwrapped probe on every live thread of {@code scheduler} (the probes wait for each
     * other at a barrier, so each holds its own thread) and checks that its current context is
     * empty and no accessor frame is left open there.
     */
    static void assertSchedulerClean(Scheduler scheduler, String prefix, Set<Thread> used) throws Exception {
        List<Thread> live = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(prefix) && !thread.getName().contains("evictor")) {
                live.add(thread);
            }
        }
        assertThat(live).as(prefix + " threads").isNotEmpty();
        CyclicBarrier all = new CyclicBarrier(live.size());
        Set<Thread> probed = ConcurrentHashMap.newKeySet();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(live.size());
        List<Scheduler.Worker> workers = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            Scheduler.Worker worker = scheduler.createWorker();
            workers.add(worker);
            worker.schedule(() -> {
                try {
                    all.await(20, TimeUnit.SECONDS);
                    probed.add(Thread.currentThread());
                    ContextLeakGuard.assertThreadClean(prefix + " worker");
                    assertThat(ThreadFrames.current().depth()).as("open accessor frames").isZero();
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        workers.forEach(Scheduler.Worker::dispose);
        assertThat(failures).isEmpty();
        assertThat(probed).containsExactlyInAnyOrderElementsOf(live);
        for (Thread thread : used) {
            if (thread.getName().startsWith(prefix)) {
                assertThat(probed).as("every thread a pipeline ran on was probed").contains(thread);
            }
        }
    }
}
