package org.contextvars4j;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link CompletableFuture} whose every stage runs in the context captured when that stage was
 * <em>registered</em> (P4, asyncio's {@code add_done_callback} rule).
 *
 * <h2>The rule</h2>
 * Registering a stage ({@code thenApply}, {@code thenCompose}, {@code whenComplete},
 * {@code handle}, {@code exceptionally}, {@code exceptionallyCompose}, {@code thenCombine},
 * {@code applyToEither}, ..., with or without {@code Async}, with or without an executor)
 * captures the registering thread's current context, O(1). The stage's function then runs in a
 * fresh copy of that context, whichever thread runs it: the registering thread (the future was
 * already complete), the thread that completes the future, or an executor's worker. Its
 * {@code set}s stay in that copy; the thread it ran on is left exactly as it was, also when the
 * function throws. {@link #completeAsync(Supplier)} and the static {@link #supplyAsync} and
 * {@link #runAsync} capture at the call in the same way. Foreign thread-locals registered with
 * {@link ThreadLocalAccessors} are captured and restored with the context (P6).
 * <pre>{@code
 * try (Token<String> t = REQUEST_ID.set("r-7")) {
 *     ContextCompletableFuture.supplyAsync(() -> load(REQUEST_ID.get()))      // sees "r-7"
 *             .thenApply(data -> render(data, REQUEST_ID.get()));            // sees "r-7"
 * }
 * }</pre>
 *
 * <h2>Why a subclass</h2>
 * Every stage method returns a {@code ContextCompletableFuture} (through
 * {@link #newIncompleteFuture()}), so a chain started here keeps the rule at every later stage
 * without the caller wrapping anything; {@link #minimalCompletionStage()}, {@link #copy()} and
 * {@link #toCompletableFuture()} stay in the family too. A static "wrap this function" helper
 * would leave every stage to the caller's discipline; wrapping an existing future's executor
 * would miss the synchronous stages. The statics that build a future ({@link #supplyAsync},
 * {@link #runAsync}, {@link #completedFuture}, {@link #failedFuture}, {@link #completedStage},
 * {@link #failedStage}, {@link #allOf}, {@link #anyOf}) are redeclared here so that
 * {@code ContextCompletableFuture.allOf(...)} returns a member of the family too, and
 * {@link #delayedExecutor} returns an executor that captures at {@code execute}. Adapt a future
 * from elsewhere with {@link #of(CompletionStage)}; stages registered directly on the original
 * are not covered.
 *
 * <h2>A plain {@code CompletableFuture} with a wrapped executor</h2>
 * {@code plain.thenApplyAsync(fn, ContextExecutors.wrap(executor))} does <em>not</em> follow the
 * registration rule: a wrapped executor captures when its {@code execute} is called, and a plain
 * future calls it on the thread that completes the future. When the stage is registered before
 * completion, {@code fn} therefore sees the <em>completer's</em> context. Start the chain from a
 * {@code ContextCompletableFuture} (or adapt it with {@link #of(CompletionStage)}) when each stage
 * must see the context of the code that registered it.
 *
 * <h2>What {@code join()} and {@code get()} see</h2>
 * They return the result (or throw) in the caller's own context, which no stage can change: a
 * stage's sets live in that stage's copy, and the result carries no context. A thread waiting in
 * {@code join()} or {@code get()} may help run dependent stages, as in {@code CompletableFuture};
 * each such stage still runs in a copy of its own registration context, and the waiting thread's
 * context is back as it was when the stage ends. The methods that take no function ({@code complete},
 * {@code obtrudeValue}, {@code orTimeout}, {@code completeOnTimeout}, {@code cancel}, ...) behave
 * as in {@code CompletableFuture}; the stages they trigger run in their own registration
 * contexts.
 *
 * <p>Rule numbers in parentheses, such as (S7), refer to the
 * <a href="package-summary.html#rules">rules in the package overview</a>.
 *
 * <p>Thread-safety is that of {@code CompletableFuture}. Unless otherwise specified, a null
 * function, action or supplier throws {@link NullPointerException} naming it, at registration.
 *
 * @param <T> the result type
 * @implNote Each registration allocates one small wrapper (the map reference, no per-variable
 * copy); each stage run allocates one small context, except a stage completed on the
 * registering thread in the registration context, which allocates none until it sets a var. Methods added to {@code CompletableFuture}
 * after Java 17 that take no function ({@code resultNow}, {@code exceptionNow}, {@code state})
 * are inherited unchanged.
 */
public class ContextCompletableFuture<T> extends CompletableFuture<T> {

    /** Creates a new, incomplete future. */
    public ContextCompletableFuture() {
    }

    // ---- static factories -------------------------------------------------------------------

    /**
     * Returns a future completed by {@code supplier}, run in the {@linkplain #defaultExecutor()
     * default executor} in a copy of the context current now.
     *
     * @param supplier what computes the result
     * @param <U> the result type
     * @return the new future
     */
    public static <U> ContextCompletableFuture<U> supplyAsync(Supplier<U> supplier) {
        return new ContextCompletableFuture<U>().completeAsync(supplier);
    }

    /**
     * Returns a future completed by {@code supplier}, run by {@code executor} in a copy of the
     * context current now.
     *
     * @param supplier what computes the result
     * @param executor the executor that runs it
     * @param <U> the result type
     * @return the new future
     */
    public static <U> ContextCompletableFuture<U> supplyAsync(Supplier<U> supplier, Executor executor) {
        return new ContextCompletableFuture<U>().completeAsync(supplier, executor);
    }

    /**
     * Returns a future completed (with null) after {@code action} ran in the
     * {@linkplain #defaultExecutor() default executor} in a copy of the context current now.
     *
     * @param action what to run
     * @return the new future
     */
    public static ContextCompletableFuture<Void> runAsync(Runnable action) {
        Objects.requireNonNull(action, "action");
        return supplyAsync(() -> {
            action.run();
            return null;
        });
    }

    /**
     * Returns a future completed (with null) after {@code action} ran on {@code executor} in a copy
     * of the context current now.
     *
     * @param action what to run
     * @param executor the executor that runs it
     * @return the new future
     */
    public static ContextCompletableFuture<Void> runAsync(Runnable action, Executor executor) {
        Objects.requireNonNull(action, "action");
        return supplyAsync(() -> {
            action.run();
            return null;
        }, executor);
    }

    /**
     * {@return a future already completed with {@code value}}
     *
     * @param value the result, may be null
     * @param <U> the result type
     */
    public static <U> ContextCompletableFuture<U> completedFuture(U value) {
        ContextCompletableFuture<U> f = new ContextCompletableFuture<>();
        f.complete(value);
        return f;
    }

    /**
     * {@return a future already completed exceptionally with {@code failure}}
     *
     * @param failure the exception
     * @param <U> the result type
     */
    public static <U> ContextCompletableFuture<U> failedFuture(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        ContextCompletableFuture<U> f = new ContextCompletableFuture<>();
        f.completeExceptionally(failure);
        return f;
    }

    /**
     * Returns a minimal stage already completed with {@code value}, whose stages follow the
     * registration rule (see {@link #minimalCompletionStage()}).
     *
     * @return the completed stage
     * @param value the result, may be null
     * @param <U> the result type
     */
    public static <U> CompletionStage<U> completedStage(U value) {
        MinimalStage<U> d = new MinimalStage<>();
        d.relayValue(value);
        return d;
    }

    /**
     * Returns a minimal stage already completed exceptionally with {@code failure}, whose stages
     * follow the registration rule (see {@link #minimalCompletionStage()}).
     *
     * @return the failed stage
     * @param failure the exception
     * @param <U> the result type
     */
    public static <U> CompletionStage<U> failedStage(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        MinimalStage<U> d = new MinimalStage<>();
        d.relayFailure(failure);
        return d;
    }

    /**
     * Returns a future completed when all of {@code futures} complete, as
     * {@link CompletableFuture#allOf} does, but in the family: stages registered on it follow the
     * registration rule. (The static inherited from {@code CompletableFuture} would return a plain
     * future, whose stages run in whatever context completes it.)
     *
     * @param futures the futures to wait for; none may be null
     * @return the new future, completed with null, or exceptionally as {@code allOf} is
     */
    public static ContextCompletableFuture<Void> allOf(CompletableFuture<?>... futures) {
        return of(CompletableFuture.allOf(futures));
    }

    /**
     * Returns a future completed when any of {@code futures} completes, with the same result, as
     * {@link CompletableFuture#anyOf} does, but in the family: stages registered on it follow the
     * registration rule.
     *
     * @param futures the futures to wait for; none may be null
     * @return the new future; never completed when {@code futures} is empty
     */
    public static ContextCompletableFuture<Object> anyOf(CompletableFuture<?>... futures) {
        return of(CompletableFuture.anyOf(futures));
    }

    /**
     * Returns an executor that runs each task after {@code delay} on the default executor, as
     * {@link CompletableFuture#delayedExecutor(long, TimeUnit)} does, in a copy of the context
     * current when the task was handed to {@code execute}.
     *
     * @param delay how long to wait, in {@code unit}s
     * @param unit the unit of {@code delay}
     * @return the delaying executor
     */
    public static Executor delayedExecutor(long delay, TimeUnit unit) {
        return ContextExecutors.wrap(CompletableFuture.delayedExecutor(delay, unit));
    }

    /**
     * Returns an executor that hands each task to {@code executor} after {@code delay}, as
     * {@link CompletableFuture#delayedExecutor(long, TimeUnit, Executor)} does, in a copy of the
     * context current when the task was handed to {@code execute}.
     *
     * @param delay how long to wait, in {@code unit}s
     * @param unit the unit of {@code delay}
     * @param executor the executor that runs the tasks
     * @return the delaying executor
     */
    public static Executor delayedExecutor(long delay, TimeUnit unit, Executor executor) {
        return ContextExecutors.wrap(CompletableFuture.delayedExecutor(delay, unit, executor));
    }

    /**
     * Adapts a stage from elsewhere: returns a new {@code ContextCompletableFuture} completed
     * the same way as {@code stage} (with the same value, or the same exception), on which every
     * later stage follows the registration rule. Completing or cancelling the returned future does
     * not affect {@code stage}.
     *
     * @param stage the stage to follow
     * @param <U> the result type
     * @return the new future
     */
    public static <U> ContextCompletableFuture<U> of(CompletionStage<U> stage) {
        Objects.requireNonNull(stage, "stage");
        ContextCompletableFuture<U> f = new ContextCompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            if (failure == null) {
                f.complete(value);
            } else {
                f.completeExceptionally(failure);
            }
        });
        return f;
    }

    // ---- the family -------------------------------------------------------------------------

    /**
     * Returns a new incomplete {@code ContextCompletableFuture}, so that every stage stays in the
     * family.
     *
     * @return the new future
     */
    @Override
    public <U> ContextCompletableFuture<U> newIncompleteFuture() {
        return new ContextCompletableFuture<>();
    }

    /** {@return this future} */
    @Override
    public ContextCompletableFuture<T> toCompletableFuture() {
        return this;
    }

    /**
     * Returns a new future completed normally when this one completes normally, with the same
     * value; stages registered on it follow the registration rule.
     *
     * @return the copy
     */
    @Override
    public ContextCompletableFuture<T> copy() {
        return (ContextCompletableFuture<T>) super.copy();
    }

    /**
     * Returns a {@link CompletionStage} that completes as this future does and refuses the methods
     * that are not part of {@code CompletionStage} ({@code UnsupportedOperationException}), as
     * {@code CompletableFuture.minimalCompletionStage()} does; its stages follow the registration
     * rule, and its {@code toCompletableFuture()} returns a new {@code ContextCompletableFuture}.
     *
     * @return the minimal stage
     */
    @Override
    public CompletionStage<T> minimalCompletionStage() {
        MinimalStage<T> d = new MinimalStage<>();
        relayTo(d);
        return d;
    }

    /** Completes {@code target} as this future completes, without running user code. */
    void relayTo(ContextCompletableFuture<T> target) {
        super.whenComplete((value, failure) -> {
            if (failure == null) {
                target.relayValue(value);
            } else {
                target.relayFailure(failure);
            }
        });
    }

    void relayValue(T value) {
        super.complete(value);
    }

    void relayFailure(Throwable failure) {
        super.completeExceptionally(failure);
    }

    /**
     * {@inheritDoc} The supplier runs in a copy of the context current now, at this call.
     *
     * @return this future
     */
    @Override
    public ContextCompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        return (ContextCompletableFuture<T>) super.completeAsync(wrapSupplier(supplier));
    }

    /**
     * {@inheritDoc} The supplier runs in a copy of the context current now, at this call.
     *
     * @return this future
     */
    @Override
    public ContextCompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        return (ContextCompletableFuture<T>) super.completeAsync(wrapSupplier(supplier), executor);
    }

    /**
     * {@inheritDoc} Stages triggered by the timeout run in their own registration contexts.
     *
     * @return this future
     */
    @Override
    public ContextCompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        return (ContextCompletableFuture<T>) super.orTimeout(timeout, unit);
    }

    /**
     * {@inheritDoc} Stages triggered by the timeout run in their own registration contexts.
     *
     * @return this future
     */
    @Override
    public ContextCompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        return (ContextCompletableFuture<T>) super.completeOnTimeout(value, timeout, unit);
    }

    // ---- stages -----------------------------------------------------------------------------

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return (ContextCompletableFuture<U>) super.<U>thenApply(wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn) {
        return (ContextCompletableFuture<U>) super.<U>thenApplyAsync(wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn, Executor executor) {
        return (ContextCompletableFuture<U>) super.<U>thenApplyAsync(wrapFunction(fn), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return (ContextCompletableFuture<Void>) super.thenAccept(wrapConsumer(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action) {
        return (ContextCompletableFuture<Void>) super.thenAcceptAsync(wrapConsumer(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        return (ContextCompletableFuture<Void>) super.thenAcceptAsync(wrapConsumer(action), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> thenRun(Runnable action) {
        return (ContextCompletableFuture<Void>) super.thenRun(wrapRunnable(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> thenRunAsync(Runnable action) {
        return (ContextCompletableFuture<Void>) super.thenRunAsync(wrapRunnable(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        return (ContextCompletableFuture<Void>) super.thenRunAsync(wrapRunnable(action), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U, V> ContextCompletableFuture<V> thenCombine(CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        return (ContextCompletableFuture<V>) super.<U, V>thenCombine(other, wrapBiFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U, V> ContextCompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        return (ContextCompletableFuture<V>) super.<U, V>thenCombineAsync(other, wrapBiFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U, V> ContextCompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn, Executor executor) {
        return (ContextCompletableFuture<V>) super.<U, V>thenCombineAsync(other, wrapBiFunction(fn), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        return (ContextCompletableFuture<Void>) super.thenAcceptBoth(other, wrapBiConsumer(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        return (ContextCompletableFuture<Void>) super.thenAcceptBothAsync(other, wrapBiConsumer(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action, Executor executor) {
        return (ContextCompletableFuture<Void>) super.thenAcceptBothAsync(other, wrapBiConsumer(action), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return (ContextCompletableFuture<Void>) super.runAfterBoth(other, wrapRunnable(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        return (ContextCompletableFuture<Void>) super.runAfterBothAsync(other, wrapRunnable(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return (ContextCompletableFuture<Void>) super.runAfterBothAsync(other, wrapRunnable(action), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return (ContextCompletableFuture<U>) super.<U>applyToEither(other, wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return (ContextCompletableFuture<U>) super.<U>applyToEitherAsync(other, wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn, Executor executor) {
        return (ContextCompletableFuture<U>) super.<U>applyToEitherAsync(other, wrapFunction(fn), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return (ContextCompletableFuture<Void>) super.acceptEither(other, wrapConsumer(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return (ContextCompletableFuture<Void>) super.acceptEitherAsync(other, wrapConsumer(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action, Executor executor) {
        return (ContextCompletableFuture<Void>) super.acceptEitherAsync(other, wrapConsumer(action), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return (ContextCompletableFuture<Void>) super.runAfterEither(other, wrapRunnable(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        return (ContextCompletableFuture<Void>) super.runAfterEitherAsync(other, wrapRunnable(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return (ContextCompletableFuture<Void>) super.runAfterEitherAsync(other, wrapRunnable(action), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return (ContextCompletableFuture<U>) super.<U>thenCompose(wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn) {
        return (ContextCompletableFuture<U>) super.<U>thenComposeAsync(wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn, Executor executor) {
        return (ContextCompletableFuture<U>) super.<U>thenComposeAsync(wrapFunction(fn), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return (ContextCompletableFuture<U>) super.<U>handle(wrapBiFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn) {
        return (ContextCompletableFuture<U>) super.<U>handleAsync(wrapBiFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public <U> ContextCompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        return (ContextCompletableFuture<U>) super.<U>handleAsync(wrapBiFunction(fn), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return (ContextCompletableFuture<T>) super.whenComplete(wrapBiConsumer(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action) {
        return (ContextCompletableFuture<T>) super.whenCompleteAsync(wrapBiConsumer(action));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action, Executor executor) {
        return (ContextCompletableFuture<T>) super.whenCompleteAsync(wrapBiConsumer(action), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return (ContextCompletableFuture<T>) super.exceptionally(wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn) {
        return (ContextCompletableFuture<T>) super.exceptionallyAsync(wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn, Executor executor) {
        return (ContextCompletableFuture<T>) super.exceptionallyAsync(wrapFunction(fn), executor);
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return (ContextCompletableFuture<T>) super.exceptionallyCompose(wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return (ContextCompletableFuture<T>) super.exceptionallyComposeAsync(wrapFunction(fn));
    }

    /** {@inheritDoc} The function runs in a copy of the context current now, at registration. */
    @Override
    public ContextCompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn, Executor executor) {
        return (ContextCompletableFuture<T>) super.exceptionallyComposeAsync(wrapFunction(fn), executor);
    }

    // ---- capture ----------------------------------------------------------------------------

    private static <A, R> Function<A, R> wrapFunction(Function<A, R> fn) {
        return new StageFunction<A, Object, R>(Objects.requireNonNull(fn, "fn"));
    }

    private static <A, B, R> BiFunction<A, B, R> wrapBiFunction(BiFunction<A, B, R> fn) {
        return new StageBiFunction<>(Objects.requireNonNull(fn, "fn"));
    }

    private static <A> Consumer<A> wrapConsumer(Consumer<A> action) {
        return new StageFunction<A, Object, Object>(Objects.requireNonNull(action, "action"));
    }

    private static <A, B> BiConsumer<A, B> wrapBiConsumer(BiConsumer<A, B> action) {
        return new StageFunction<A, B, Object>(Objects.requireNonNull(action, "action"));
    }

    private static Runnable wrapRunnable(Runnable action) {
        return new StageFunction<Object, Object, Object>(Objects.requireNonNull(action, "action"));
    }

    private static <R> Supplier<R> wrapSupplier(Supplier<R> supplier) {
        return new StageFunction<Object, Object, R>(Objects.requireNonNull(supplier, "supplier"));
    }

    /**
     * The result of {@link #minimalCompletionStage()}: only {@link CompletionStage} methods work,
     * as for {@code CompletableFuture}'s own minimal stage.
     */
    private static final class MinimalStage<T> extends ContextCompletableFuture<T> {

        @Override
        public <U> ContextCompletableFuture<U> newIncompleteFuture() {
            return new MinimalStage<>();
        }

        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("a minimal completion stage supports only CompletionStage methods");
        }

        @Override
        public T get() {
            throw refused();
        }

        @Override
        public T get(long timeout, TimeUnit unit) {
            throw refused();
        }

        @Override
        public T getNow(T valueIfAbsent) {
            throw refused();
        }

        @Override
        public T join() {
            throw refused();
        }

        /** Refused: {@code Future.resultNow()} (Java 19+) is not a stage method. */
        public T resultNow() {
            throw refused();
        }

        /** Refused: {@code Future.exceptionNow()} (Java 19+) is not a stage method. */
        public Throwable exceptionNow() {
            throw refused();
        }

        @Override
        public boolean complete(T value) {
            throw refused();
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            throw refused();
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            throw refused();
        }

        @Override
        public void obtrudeValue(T value) {
            throw refused();
        }

        @Override
        public void obtrudeException(Throwable ex) {
            throw refused();
        }

        @Override
        public boolean isDone() {
            throw refused();
        }

        @Override
        public boolean isCancelled() {
            throw refused();
        }

        @Override
        public boolean isCompletedExceptionally() {
            throw refused();
        }

        @Override
        public int getNumberOfDependents() {
            throw refused();
        }

        @Override
        public ContextCompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
            throw refused();
        }

        @Override
        public ContextCompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
            throw refused();
        }

        @Override
        public ContextCompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
            throw refused();
        }

        @Override
        public ContextCompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
            throw refused();
        }

        @Override
        public ContextCompletableFuture<T> toCompletableFuture() {
            ContextCompletableFuture<T> d = new ContextCompletableFuture<>();
            relayTo(d);
            return d;
        }
    }
}
