package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * P4 with the agent: every stage of a plain {@code CompletableFuture}, synchronous or async, runs
 * in the context current when it was registered, whichever thread completes the future; also
 * when the completing thread runs it itself (alibaba/transmittable-thread-local#825), and on the
 * default async pool.
 */
@ExtendWith(ContextLeakGuard.class)
class CompletableFutureAgentTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    private final ExecutorService completer = Executors.newSingleThreadExecutor();
    private final ExecutorService stages = Executors.newFixedThreadPool(2);

    @AfterEach
    void shutDown() {
        completer.shutdownNow();
        stages.shutdownNow();
    }

    /** Registers one kind of stage on {@code source} and reports what the stage saw into {@code seen}. */
    enum Stage {
        THEN_APPLY((f, s) -> f.thenApply(v -> s.see())),
        THEN_ACCEPT((f, s) -> f.thenAccept(v -> s.see())),
        THEN_RUN((f, s) -> f.thenRun(s::see)),
        THEN_COMPOSE((f, s) -> f.thenCompose(v -> CompletableFuture.completedFuture(s.see()))),
        WHEN_COMPLETE((f, s) -> f.whenComplete((v, e) -> s.see())),
        HANDLE((f, s) -> f.handle((v, e) -> s.see())),
        EXCEPTIONALLY((f, s) -> f.thenApply(v -> {
            throw new IllegalStateException("stage failed on purpose");
        }).exceptionally(e -> s.see())),
        THEN_COMBINE((f, s) -> f.thenCombine(CompletableFuture.completedFuture("x"), (a, b) -> s.see())),
        THEN_ACCEPT_BOTH((f, s) -> f.thenAcceptBoth(CompletableFuture.completedFuture("x"), (a, b) -> s.see())),
        RUN_AFTER_BOTH((f, s) -> f.runAfterBoth(CompletableFuture.completedFuture("x"), s::see)),
        APPLY_TO_EITHER((f, s) -> f.applyToEither(new CompletableFuture<String>(), v -> s.see())),
        ACCEPT_EITHER((f, s) -> f.acceptEither(new CompletableFuture<String>(), v -> s.see())),
        RUN_AFTER_EITHER((f, s) -> f.runAfterEither(new CompletableFuture<String>(), s::see)),
        THEN_APPLY_ASYNC((f, s) -> f.thenApplyAsync(v -> s.see())),
        THEN_APPLY_ASYNC_EXECUTOR((f, s) -> f.thenApplyAsync(v -> s.see(), s.executor)),
        THEN_COMPOSE_ASYNC((f, s) -> f.thenComposeAsync(v -> CompletableFuture.completedFuture(s.see()))),
        WHEN_COMPLETE_ASYNC_EXECUTOR((f, s) -> f.whenCompleteAsync((v, e) -> s.see(), s.executor)),
        HANDLE_ASYNC((f, s) -> f.handleAsync((v, e) -> s.see())),
        EXCEPTIONALLY_ASYNC((f, s) -> f.thenApply(v -> {
            throw new IllegalStateException("stage failed on purpose");
        }).exceptionallyAsync(e -> s.see())),
        THEN_COMBINE_ASYNC_EXECUTOR((f, s) -> f.thenCombineAsync(CompletableFuture.completedFuture("x"),
                (a, b) -> s.see(), s.executor));

        final BiFunction<CompletableFuture<String>, Seen, CompletionStage<?>> register;

        Stage(BiFunction<CompletableFuture<String>, Seen, CompletionStage<?>> register) {
            this.register = register;
        }
    }

    /** What a stage saw, and the executor the *Async(executor) forms use. */
    static final class Seen {
        final List<String> values = new ArrayList<>();
        final ExecutorService executor;

        Seen(ExecutorService executor) {
            this.executor = executor;
        }

        synchronized String see() {
            String v = REQUEST.orElse("<none>");
            values.add(v);
            REQUEST.set("set-by-stage");
            return v;
        }

        synchronized List<String> values() {
            return new ArrayList<>(values);
        }
    }

    @ParameterizedTest(name = "P4: {0} registered before completion, completed by another thread in another context")
    @EnumSource(Stage.class)
    void stage_completedLaterElsewhere_runsInRegistrationContext(Stage stage) throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        Seen seen = new Seen(stages);
        CompletionStage<?> dependent;
        try (Token<String> t = REQUEST.set("registered")) {
            dependent = stage.register.apply(source, seen);
        }
        completer.submit(() -> {
            try (Token<String> t = REQUEST.set("completer")) {
                source.complete("value");   // runs the synchronous stages on this thread
            }
        }).get(10, TimeUnit.SECONDS);
        dependent.toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(seen.values()).containsExactly("registered");
        assertThat(completer.submit(new Unpropagated()).get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @ParameterizedTest(name = "P4: {0} registered on a future already complete")
    @EnumSource(Stage.class)
    void stage_alreadyComplete_runsInRegistrationContext(Stage stage) throws Exception {
        CompletableFuture<String> source = CompletableFuture.completedFuture("value");
        Seen seen = new Seen(stages);
        try (Token<String> t = REQUEST.set("registered")) {
            stage.register.apply(source, seen).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(REQUEST.get()).as("a synchronous stage's set stays in its own copy").isEqualTo("registered");
        }
        assertThat(seen.values()).containsExactly("registered");
    }

    @Test
    @DisplayName("P4: supplyAsync and runAsync on the default async pool run in the caller's context")
    void supplyAsync_defaultPool_callersContext() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        try (Token<String> t = REQUEST.set("caller")) {
            CompletableFuture.runAsync(() -> seen.put("run", REQUEST.get())).get(10, TimeUnit.SECONDS);
            assertThat(CompletableFuture.supplyAsync(REQUEST::get).get(10, TimeUnit.SECONDS)).isEqualTo("caller");
            assertThat(CompletableFuture.supplyAsync(REQUEST::get, stages).get(10, TimeUnit.SECONDS))
                    .isEqualTo("caller");
        }
        assertThat(seen).containsEntry("run", "caller");
    }

    @Test
    @DisplayName("P4: each stage of a chain sees the context of its own registration")
    void chain_registeredInDifferentContexts_eachItsOwn() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> a;
        CompletableFuture<String> b;
        try (Token<String> t = REQUEST.set("first")) {
            a = source.thenApply(v -> v + REQUEST.get());
        }
        try (Token<String> t = REQUEST.set("second")) {
            b = a.thenApplyAsync(v -> v + "," + REQUEST.get(), stages);
        }
        completer.submit(() -> source.complete("")).get(10, TimeUnit.SECONDS);
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("first,second");
    }
}
