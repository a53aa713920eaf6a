package org.contextvars4j;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The {@link ScopedMemoizer} for functions that return a {@link CompletionStage}: within one
 * {@link RequestScope}, the callers of a key share one in-flight computation.
 * <pre>{@code
 * static final ScopedAsyncMemoizer<Integer, User> USER_ASYNC =
 *         ScopedAsyncMemoizer.of("user_async", id -> CompletableFuture.supplyAsync(() -> loadUser(id)));
 *
 * RequestScope.run(() -> {
 *     CompletableFuture<User> a = USER_ASYNC.apply(2);   // starts the load
 *     CompletableFuture<User> b = USER_ASYNC.apply(2);   // shares it: one load
 *     assertThat(a.join()).isSameAs(b.join());
 * });
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>One computation per key per scope.</b> The first caller of a key calls the function;
 *       every caller, before and after it completes, gets a future of that one computation.</li>
 *   <li><b>Failures are not cached.</b> When the computation fails (its stage completes
 *       exceptionally, or the function throws), the callers that share it see the failure and the
 *       key is dropped: the next call computes again. A function that throws returns a failed
 *       future rather than throwing.</li>
 *   <li><b>Each caller gets its own future.</b> {@link #apply} returns a new
 *       {@link ContextCompletableFuture} that completes with the shared computation; its stages
 *       run in the caller's context, and cancelling or completing it affects no other caller.</li>
 *   <li><b>Recursion, bound, outside a scope:</b> as {@link ScopedMemoizer}. A function that asks
 *       for its own key while it is being called (before it returned its stage) gets
 *       {@link IllegalStateException}. At the bound, a new key is computed on every call, not
 *       kept nor shared. A null result completes the future with null and is kept.</li>
 * </ul>
 *
 * <p>A memoizer is immutable and safe to share. Unless otherwise specified, passing a null
 * argument to a method of this class throws {@link NullPointerException} naming the parameter.
 *
 * @param <K> the type of the keys
 * @param <V> the type of the results
 */
public final class ScopedAsyncMemoizer<K, V> implements Function<K, CompletableFuture<V>> {

    private final String name;
    private final Function<? super K, ? extends CompletionStage<V>> function;
    private final Function<RequestScope, ScopeCache> newCache;
    private final int id = RequestScope.newOwnerId();

    private ScopedAsyncMemoizer(String name, int maxSize, Function<? super K, ? extends CompletionStage<V>> function) {
        this.name = Objects.requireNonNull(name, "name");
        this.function = Objects.requireNonNull(function, "function");
        ScopeCache.checkMaxSize(maxSize);
        this.newCache = scope -> new ScopeCache(maxSize);
    }

    /**
     * Creates a memoizer of {@code function} that keeps at most
     * {@value ScopedMemoizer#DEFAULT_MAX_SIZE} computations per scope.
     *
     * @param name a name for messages and {@code toString()}
     * @param function what to memoize; must not return null
     * @param <K> the type of the keys
     * @param <V> the type of the results
     * @return the memoizer
     * @throws NullPointerException if {@code name} or {@code function} is null
     */
    public static <K, V> ScopedAsyncMemoizer<K, V> of(String name, Function<? super K, ? extends CompletionStage<V>> function) {
        return new ScopedAsyncMemoizer<>(name, ScopedMemoizer.DEFAULT_MAX_SIZE, function);
    }

    /**
     * Creates a memoizer of {@code function} that keeps at most {@code maxSize} computations per
     * scope.
     *
     * @param name a name for messages and {@code toString()}
     * @param maxSize the bound on the computations kept per scope, at least 1
     * @param function what to memoize; must not return null
     * @param <K> the type of the keys
     * @param <V> the type of the results
     * @return the memoizer
     * @throws NullPointerException if {@code name} or {@code function} is null
     * @throws IllegalArgumentException if {@code maxSize} is less than 1
     */
    public static <K, V> ScopedAsyncMemoizer<K, V> of(String name, int maxSize,
            Function<? super K, ? extends CompletionStage<V>> function) {
        return new ScopedAsyncMemoizer<>(name, maxSize, function);
    }

    /** {@return the name given at creation} */
    public String name() {
        return name;
    }

    /**
     * Returns a future of the computation for {@code key} in the current scope, starting it on
     * first use.
     *
     * @param key the key; may be null
     * @return a new future, for this caller only, of the shared computation
     * @throws IllegalStateException if no scope is bound in the current context, if the scope has
     *         ended, or if the function, while called for {@code key}, asked for {@code key} again
     */
    @Override
    public CompletableFuture<V> apply(K key) {
        ScopeCache cache = ScopeCache.of(this, id, newCache);
        Object k = ScopeCache.mask(key);
        while (true) {
            Object e = cache.map.get(k);
            if (e instanceof Starting) {
                ((Starting) e).refuseRecursion(this, key);
            }
            if (e != null) {
                return ContextCompletableFuture.of(shared(e));
            }
            if (!cache.reserve()) {
                return ContextCompletableFuture.of(start(key));   // at the bound: not kept
            }
            Starting mine = new Starting();
            if (cache.map.putIfAbsent(k, mine) != null) {
                cache.release();
                continue;
            }
            CompletableFuture<V> computation;
            try {
                computation = start(key);
            } catch (Error err) {
                cache.map.remove(k, mine);
                cache.release();
                mine.completeExceptionally(err);
                throw err;
            }
            // The callers depend on `shared`, completed only after a failed key is dropped: a
            // caller that sees the failure and calls again at once computes again. (A callback
            // on the computation itself may run after the callers' own stages are woken.)
            CompletableFuture<V> shared = new CompletableFuture<>();
            cache.map.replace(k, mine, shared);
            mine.complete(shared);
            computation.whenComplete((v, failure) -> {
                if (failure == null) {
                    shared.complete(v);
                    return;
                }
                if (cache.map.remove(k, shared)) {
                    cache.release();
                }
                shared.completeExceptionally(failure);
            });
            return ContextCompletableFuture.of(shared);
        }
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<V> shared(Object e) {
        return e instanceof Starting ? ((Starting) e).thenCompose(c -> (CompletableFuture<V>) c)
                : (CompletableFuture<V>) e;
    }

    /** Calls the function; a throw or a null stage becomes a failed future. */
    private CompletableFuture<V> start(K key) {
        try {
            CompletionStage<V> stage = function.apply(key);
            if (stage == null) {
                return CompletableFuture.failedFuture(new NullPointerException(
                        "the function of " + this + " returned null for key " + key));
            }
            return stage.toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@return a description, for example {@code ScopedAsyncMemoizer[quote]}} */
    @Override
    public String toString() {
        return "ScopedAsyncMemoizer[" + name + "]";
    }

    /**
     * A key whose function is being called: completes with the computation's future once the
     * function returned it. Remembers the calling thread to refuse recursion.
     */
    private static final class Starting extends CompletableFuture<Object> {
        private final Thread owner = Thread.currentThread();

        void refuseRecursion(ScopedAsyncMemoizer<?, ?> memoizer, Object key) {
            if (owner == Thread.currentThread() && !isDone()) {
                throw new IllegalStateException("recursive call of " + memoizer + " for key " + key
                        + ": its function asked for the same key");
            }
        }
    }
}
