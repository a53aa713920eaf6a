package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** P4: every stage runs in the context captured when it was registered. */
@ExtendWith(ContextLeakGuard.class)
class ContextCompletableFutureTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");
    static final ExecutorService POOL = Executors.newSingleThreadExecutor();

    @AfterAll
    static void shutdown() throws Exception {
        POOL.submit(() -> ContextLeakGuard.assertThreadClean("raw executor of *Async stages")).get();
        POOL.shutdown();
    }

    /** Registers one stage on {@code source} whose function calls {@code probe}. */
    @FunctionalInterface
    interface Registration {
        CompletionStage<?> register(ContextCompletableFuture<String> source, Runnable probe);
    }

    /** One stage kind: how to register it and whether it needs a failed source. */
    record Kind(String name, boolean onFailure, Registration registration) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** When the source completes relative to registration. */
    enum Completion { BEFORE_REGISTRATION, SAME_THREAD_AFTER, OTHER_THREAD_AFTER }

    static final CompletableFuture<String> DONE = CompletableFuture.completedFuture("other");
    static final CompletableFuture<String> NEVER = new CompletableFuture<>();

    static List<Kind> kinds() {
        List<Kind> k = new ArrayList<>();
        k.add(new Kind("thenApply", false, (s, p) -> s.thenApply(v -> run(p, v))));
        k.add(new Kind("thenApplyAsync", false, (s, p) -> s.thenApplyAsync(v -> run(p, v))));
        k.add(new Kind("thenApplyAsync(executor)", false, (s, p) -> s.thenApplyAsync(v -> run(p, v), POOL)));
        k.add(new Kind("thenAccept", false, (s, p) -> s.thenAccept(v -> p.run())));
        k.add(new Kind("thenAcceptAsync", false, (s, p) -> s.thenAcceptAsync(v -> p.run())));
        k.add(new Kind("thenAcceptAsync(executor)", false, (s, p) -> s.thenAcceptAsync(v -> p.run(), POOL)));
        k.add(new Kind("thenRun", false, (s, p) -> s.thenRun(p)));
        k.add(new Kind("thenRunAsync", false, (s, p) -> s.thenRunAsync(p)));
        k.add(new Kind("thenRunAsync(executor)", false, (s, p) -> s.thenRunAsync(p, POOL)));
        k.add(new Kind("thenCombine", false, (s, p) -> s.thenCombine(DONE, (a, b) -> run(p, a))));
        k.add(new Kind("thenCombineAsync", false, (s, p) -> s.thenCombineAsync(DONE, (a, b) -> run(p, a))));
        k.add(new Kind("thenCombineAsync(executor)", false,
                (s, p) -> s.thenCombineAsync(DONE, (a, b) -> run(p, a), POOL)));
        k.add(new Kind("thenAcceptBoth", false, (s, p) -> s.thenAcceptBoth(DONE, (a, b) -> p.run())));
        k.add(new Kind("thenAcceptBothAsync", false, (s, p) -> s.thenAcceptBothAsync(DONE, (a, b) -> p.run())));
        k.add(new Kind("thenAcceptBothAsync(executor)", false,
                (s, p) -> s.thenAcceptBothAsync(DONE, (a, b) -> p.run(), POOL)));
        k.add(new Kind("runAfterBoth", false, (s, p) -> s.runAfterBoth(DONE, p)));
        k.add(new Kind("runAfterBothAsync", false, (s, p) -> s.runAfterBothAsync(DONE, p)));
        k.add(new Kind("runAfterBothAsync(executor)", false, (s, p) -> s.runAfterBothAsync(DONE, p, POOL)));
        k.add(new Kind("applyToEither", false, (s, p) -> s.applyToEither(NEVER, v -> run(p, v))));
        k.add(new Kind("applyToEitherAsync", false, (s, p) -> s.applyToEitherAsync(NEVER, v -> run(p, v))));
        k.add(new Kind("applyToEitherAsync(executor)", false,
                (s, p) -> s.applyToEitherAsync(NEVER, v -> run(p, v), POOL)));
        k.add(new Kind("acceptEither", false, (s, p) -> s.acceptEither(NEVER, v -> p.run())));
        k.add(new Kind("acceptEitherAsync", false, (s, p) -> s.acceptEitherAsync(NEVER, v -> p.run())));
        k.add(new Kind("acceptEitherAsync(executor)", false, (s, p) -> s.acceptEitherAsync(NEVER, v -> p.run(), POOL)));
        k.add(new Kind("runAfterEither", false, (s, p) -> s.runAfterEither(NEVER, p)));
        k.add(new Kind("runAfterEitherAsync", false, (s, p) -> s.runAfterEitherAsync(NEVER, p)));
        k.add(new Kind("runAfterEitherAsync(executor)", false, (s, p) -> s.runAfterEitherAsync(NEVER, p, POOL)));
        k.add(new Kind("thenCompose", false, (s, p) -> s.thenCompose(v -> CompletableFuture.completedFuture(run(p, v)))));
        k.add(new Kind("thenComposeAsync", false,
                (s, p) -> s.thenComposeAsync(v -> CompletableFuture.completedFuture(run(p, v)))));
        k.add(new Kind("thenComposeAsync(executor)", false,
                (s, p) -> s.thenComposeAsync(v -> CompletableFuture.completedFuture(run(p, v)), POOL)));
        k.add(new Kind("handle", false, (s, p) -> s.handle((v, e) -> run(p, v))));
        k.add(new Kind("handleAsync", false, (s, p) -> s.handleAsync((v, e) -> run(p, v))));
        k.add(new Kind("handleAsync(executor)", false, (s, p) -> s.handleAsync((v, e) -> run(p, v), POOL)));
        k.add(new Kind("handle(failed)", true, (s, p) -> s.handle((v, e) -> run(p, "recovered"))));
        k.add(new Kind("whenComplete", false, (s, p) -> s.whenComplete((v, e) -> p.run())));
        k.add(new Kind("whenCompleteAsync", false, (s, p) -> s.whenCompleteAsync((v, e) -> p.run())));
        k.add(new Kind("whenCompleteAsync(executor)", false, (s, p) -> s.whenCompleteAsync((v, e) -> p.run(), POOL)));
        k.add(new Kind("exceptionally", true, (s, p) -> s.exceptionally(e -> run(p, "recovered"))));
        k.add(new Kind("exceptionallyAsync", true, (s, p) -> s.exceptionallyAsync(e -> run(p, "recovered"))));
        k.add(new Kind("exceptionallyAsync(executor)", true,
                (s, p) -> s.exceptionallyAsync(e -> run(p, "recovered"), POOL)));
        k.add(new Kind("exceptionallyCompose", true,
                (s, p) -> s.exceptionallyCompose(e -> CompletableFuture.completedFuture(run(p, "recovered")))));
        k.add(new Kind("exceptionallyComposeAsync", true,
                (s, p) -> s.exceptionallyComposeAsync(e -> CompletableFuture.completedFuture(run(p, "recovered")))));
        k.add(new Kind("exceptionallyComposeAsync(executor)", true, (s, p) -> s.exceptionallyComposeAsync(
                e -> CompletableFuture.completedFuture(run(p, "recovered")), POOL)));
        k.add(new Kind("copy().thenApply", false, (s, p) -> s.copy().thenApply(v -> run(p, v))));
        k.add(new Kind("minimalCompletionStage().thenApply", false,
                (s, p) -> s.minimalCompletionStage().thenApply(v -> run(p, v))));
        k.add(new Kind("toCompletableFuture().thenApply", false,
                (s, p) -> s.toCompletableFuture().thenApply(v -> run(p, v))));
        k.add(new Kind("thenApply().thenApply (chained family)", false,
                (s, p) -> s.thenApply(v -> v + "!").thenApply(v -> run(p, v))));
        k.add(new Kind("of(plain future).thenApply", false,
                (s, p) -> ContextCompletableFuture.of(plain(s)).thenApply(v -> run(p, v))));
        return k;
    }

    static Stream<Arguments> matrix() {
        return kinds().stream().flatMap(k -> Stream.of(Completion.values()).map(c -> Arguments.of(k, c)));
    }

    static <V> V run(Runnable probe, V value) {
        probe.run();
        return value;
    }

    /** A plain CompletableFuture that follows {@code s}, registered without any context. */
    static CompletableFuture<String> plain(ContextCompletableFuture<String> s) {
        CompletableFuture<String> p = new CompletableFuture<>();
        s.whenComplete((v, e) -> {
            if (e != null) {
                p.completeExceptionally(e);
            } else {
                p.complete(v);
            }
        });
        return p;
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("matrix")
    void stage_runsInRegistrationContext_P4(Kind kind, Completion completion) throws Exception {
        ContextCompletableFuture<String> source = new ContextCompletableFuture<>();
        AtomicReference<String> seen = new AtomicReference<>("not run");
        Runnable probe = () -> {
            seen.set(REQ.orElse("none"));
            REQ.set("set-by-stage");      // must stay in the stage's own copy
        };
        if (completion == Completion.BEFORE_REGISTRATION) {
            completeSource(source, kind.onFailure());
        }
        CompletionStage<?> stage;
        try (Token<String> t = REQ.set("registration")) {
            stage = kind.registration().register(source, probe);
        }
        if (completion == Completion.SAME_THREAD_AFTER) {
            try (Token<String> t = REQ.set("completer")) {
                completeSource(source, kind.onFailure());
                assertThat(REQ.get()).as("completer's context after sync stages").isEqualTo("completer");
            }
        } else if (completion == Completion.OTHER_THREAD_AFTER) {
            AtomicReference<String> completerAfter = new AtomicReference<>();
            Thread completer = new Thread(() -> {
                try (Token<String> t = REQ.set("completer")) {
                    completeSource(source, kind.onFailure());
                    completerAfter.set(REQ.get());
                }
                completerAfter.set(completerAfter.get() + (ContextLeakGuard.isThreadClean() ? "" : " (unclean)"));
            });
            completer.start();
            completer.join(10_000);
            assertThat(completerAfter.get()).as("completer thread after sync stages").isEqualTo("completer");
        }
        stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(seen.get()).as("%s, completed %s", kind, completion).isEqualTo("registration");
        assertThat(stage.toCompletableFuture()).isInstanceOf(ContextCompletableFuture.class);
    }

    static void completeSource(ContextCompletableFuture<String> source, boolean fail) {
        if (fail) {
            source.completeExceptionally(new IllegalStateException("source failed"));
        } else {
            source.complete("value");
        }
    }

    @Test
    void supplyAsync_runAsync_completeAsync_captureAtCall_P4() throws Exception {
        try (Token<String> t = REQ.set("at-call")) {
            ContextCompletableFuture<String> a = ContextCompletableFuture.supplyAsync(() -> REQ.get());
            ContextCompletableFuture<String> b = ContextCompletableFuture.supplyAsync(() -> REQ.get(), POOL);
            AtomicReference<String> r1 = new AtomicReference<>();
            AtomicReference<String> r2 = new AtomicReference<>();
            ContextCompletableFuture<Void> c = ContextCompletableFuture.runAsync(() -> r1.set(REQ.get()));
            ContextCompletableFuture<Void> d = ContextCompletableFuture.runAsync(() -> r2.set(REQ.get()), POOL);
            ContextCompletableFuture<String> e = new ContextCompletableFuture<String>().completeAsync(() -> REQ.get(), POOL);
            ContextCompletableFuture<String> f = new ContextCompletableFuture<String>().completeAsync(() -> REQ.get());
            CompletableFuture.allOf(a, b, c, d, e, f).get(10, TimeUnit.SECONDS);
            assertThat(List.of(a.join(), b.join(), r1.get(), r2.get(), e.join(), f.join())).containsOnly("at-call");
        }
    }

    @Test
    void orTimeout_stageRunsOnDelayerInRegistrationContext_P4() throws Exception {
        ContextCompletableFuture<String> source = new ContextCompletableFuture<>();
        CompletableFuture<String> stage;
        try (Token<String> t = REQ.set("registration")) {
            stage = source.orTimeout(1, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> (e instanceof TimeoutException ? "timeout:" : "other:") + REQ.get());
        }
        assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("timeout:registration");
    }

    @Test
    void completeOnTimeout_stageRunsInRegistrationContext_P4() throws Exception {
        ContextCompletableFuture<String> source = new ContextCompletableFuture<>();
        CompletableFuture<String> stage;
        try (Token<String> t = REQ.set("registration")) {
            stage = source.completeOnTimeout("late", 1, TimeUnit.MILLISECONDS).thenApply(v -> v + ":" + REQ.get());
        }
        assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("late:registration");
    }

    @Test
    void joinAndGet_seeCallerContext_stageSetsInvisible_P4() throws Exception {
        try (Token<String> t = REQ.set("caller")) {
            ContextCompletableFuture<String> f = ContextCompletableFuture.supplyAsync(() -> {
                REQ.set("inside-stage");
                return REQ.get();
            });
            assertThat(f.join()).isEqualTo("inside-stage");
            assertThat(f.get()).isEqualTo("inside-stage");
            assertThat(REQ.get()).isEqualTo("caller");
        }
    }

    @Test
    void stageThrows_exceptionPassesThrough_threadRestored_P4() {
        ContextCompletableFuture<String> source = new ContextCompletableFuture<>();
        CompletableFuture<String> stage;
        try (Token<String> t = REQ.set("registration")) {
            stage = source.thenApply(v -> {
                REQ.set("before-throw");
                throw new IllegalArgumentException("stage failed");
            });
        }
        source.complete("v");
        assertThatThrownBy(stage::join).hasRootCauseMessage("stage failed");
        assertThat(REQ.orElse(null)).isNull();
    }

    @Test
    void staticFactories_stayInFamily() {
        assertThat(ContextCompletableFuture.completedFuture("x").join()).isEqualTo("x");
        assertThatThrownBy(() -> ContextCompletableFuture.failedFuture(new IllegalStateException("f")).join())
                .hasRootCauseMessage("f");
        assertThat(ContextCompletableFuture.completedStage("s").toCompletableFuture())
                .isInstanceOf(ContextCompletableFuture.class);
        assertThat(ContextCompletableFuture.failedStage(new IllegalStateException("g")).toCompletableFuture())
                .isCompletedExceptionally();
        assertThat(new ContextCompletableFuture<String>().newIncompleteFuture()).isInstanceOf(ContextCompletableFuture.class);
    }

    @Test
    void minimalStage_refusesFutureMethods() {
        CompletionStage<String> m = ContextCompletableFuture.completedFuture("x").minimalCompletionStage();
        CompletableFuture<String> asFuture = (CompletableFuture<String>) m;
        assertThatThrownBy(asFuture::join).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> asFuture.complete("y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> asFuture.obtrudeValue("y")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(m.toCompletableFuture().join()).isEqualTo("x");
    }

    @Test
    void nullFunction_refusedAtRegistration_S9() {
        ContextCompletableFuture<String> f = new ContextCompletableFuture<>();
        assertThatThrownBy(() -> f.thenApply(null)).isInstanceOf(NullPointerException.class).hasMessage("fn");
        assertThatThrownBy(() -> f.thenRun(null)).isInstanceOf(NullPointerException.class).hasMessage("action");
        assertThatThrownBy(() -> f.completeAsync(null)).isInstanceOf(NullPointerException.class).hasMessage("supplier");
        assertThatThrownBy(() -> ContextCompletableFuture.of(null)).hasMessage("stage");
    }

    /** Completes {@code futures} on a fresh thread whose own context has REQ = "completer". */
    private static void completeOnOtherThread(List<CompletableFuture<String>> futures) throws InterruptedException {
        Thread completer = new Thread(() -> {
            try (Token<String> t = REQ.set("completer")) {
                futures.forEach(f -> f.complete("done"));
            }
        });
        completer.start();
        completer.join();
    }

    @Test
    void allOf_returnsFamilyFuture_laterStageSeesRegistrationContext_P4() throws Exception {
        CompletableFuture<String> a = new CompletableFuture<>();
        CompletableFuture<String> b = new CompletableFuture<>();
        CompletableFuture<Void> all = ContextCompletableFuture.allOf(a, b);
        CompletableFuture<String> stage;
        try (Token<String> t = REQ.set("registration")) {
            stage = all.thenApply(v -> REQ.orElse("none"));
        }
        completeOnOtherThread(List.of(a, b));
        assertThat(all).isInstanceOf(ContextCompletableFuture.class);
        assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("registration");
    }

    @Test
    void anyOf_returnsFamilyFuture_laterStageSeesRegistrationContext_P4() throws Exception {
        CompletableFuture<String> a = new CompletableFuture<>();
        CompletableFuture<Object> any = ContextCompletableFuture.anyOf(a, NEVER);
        CompletableFuture<String> stage;
        try (Token<String> t = REQ.set("registration")) {
            stage = any.thenApply(v -> v + ":" + REQ.orElse("none"));
        }
        completeOnOtherThread(List.of(a));
        assertThat(any).isInstanceOf(ContextCompletableFuture.class);
        assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("done:registration");
    }

    @Test
    void allOfAnyOf_failureAndEmpty_behaveAsCompletableFuture() {
        assertThat(ContextCompletableFuture.allOf().join()).isNull();
        assertThat(ContextCompletableFuture.anyOf()).isNotDone();
        assertThatThrownBy(() -> ContextCompletableFuture.allOf(DONE,
                CompletableFuture.failedFuture(new IllegalStateException("one failed"))).join())
                .hasRootCauseMessage("one failed");
        assertThatThrownBy(() -> ContextCompletableFuture.allOf((CompletableFuture<?>[]) null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void delayedExecutor_taskRunsInContextOfExecuteCall_P4() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<Void> ran = new CompletableFuture<>();
        try (Token<String> t = REQ.set("at-execute")) {
            ContextCompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS).execute(() -> {
                seen.set(REQ.orElse("none"));
                ran.complete(null);
            });
            ContextCompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS, POOL).execute(() -> { });
        }
        ran.get(10, TimeUnit.SECONDS);
        assertThat(seen.get()).isEqualTo("at-execute");
    }

    /** Every public static of CompletableFuture that returns a future, stage or executor is shadowed here. */
    @Test
    void everyInheritedStaticFactory_isShadowed_P4() {
        List<String> missing = new ArrayList<>();
        for (java.lang.reflect.Method m : CompletableFuture.class.getMethods()) {
            if (!java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() != CompletableFuture.class) {
                continue;
            }
            try {
                java.lang.reflect.Method own = ContextCompletableFuture.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                if (CompletionStage.class.isAssignableFrom(m.getReturnType())
                        && CompletableFuture.class.isAssignableFrom(m.getReturnType())) {
                    assertThat(own.getReturnType()).as(m.toString()).isEqualTo(ContextCompletableFuture.class);
                }
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertThat(missing).isEmpty();
    }

    /**
     * Documents the behaviour of a plain CompletableFuture given a wrapped executor: the executor
     * captures at {@code execute}, which runs on the completing thread, so the stage sees the
     * completer's context, not the registrar's (use ContextCompletableFuture for the latter).
     */
    @Test
    void plainFuture_wrappedExecutor_stageSeesCompletersContext_documented_P4() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> stage;
        java.util.concurrent.Executor wrapped = ContextExecutors.wrap((java.util.concurrent.Executor) POOL);
        try (Token<String> t = REQ.set("registration")) {
            stage = source.thenApplyAsync(v -> REQ.orElse("none"), wrapped);
        }
        completeOnOtherThread(List.of(source));
        assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("completer");
    }
}
