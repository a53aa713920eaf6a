package org.contextvars4j;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A function whose results are memoized per {@link RequestScope}: the articles'
 * {@code per_context_memoize}, without its two traps. The cache belongs to the scope, created when
 * the scope opens and shared by every hand-off of it, so a key first computed in an executor task
 * is not computed again by the request's other threads; and it is thread-safe, so copies on
 * several threads may use it at once. Two scopes never share a result, and nothing survives the
 * scope's end.
 * <pre>{@code
 * static final ScopedMemoizer<Integer, User> USER_BY_ID = ScopedMemoizer.of("user_by_id", id -> loadUser(id));
 *
 * String handle(int id) {
 *     User first = USER_BY_ID.apply(id);          // computed
 *     User again = USER_BY_ID.apply(id);          // the same object, from this request's cache
 *     return first == again ? first.name() : "two loads";
 * }
 *
 * String page = RequestScope.call(() -> handle(1));
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Once per key per scope.</b> When several threads of one scope ask for a key at the
 *       same time, one computes and the others wait for its result. The computation runs without
 *       any lock held, so it may call this or another memoizer for other keys.</li>
 *   <li><b>Null results are cached; exceptions are not.</b> The callers waiting for a computation
 *       that throws get the same exception; the next call computes again.</li>
 *   <li><b>Recursion fails fast.</b> A computation that asks for its own key on the same thread
 *       gets {@link IllegalStateException} naming the memoizer and the key. (A cycle through
 *       another thread, a computation that waits for a task that asks for the same key, cannot be
 *       told apart from a slow computation and waits; do not hand the computation of a key to a
 *       task that needs that key.)</li>
 *   <li><b>Bounded.</b> A scope keeps at most {@code maxSize} results of this memoizer (default
 *       {@value #DEFAULT_MAX_SIZE}). At the bound nothing is evicted: the results already kept stay
 *       stable, and a new key is computed on every call without being kept (nor shared between
 *       concurrent callers).</li>
 *   <li><b>Only inside a scope.</b> Outside any scope, or in a task that escaped its ended scope,
 *       {@link #apply} refuses with {@link IllegalStateException} naming the memoizer: a silent
 *       uncached call would hide a missing {@link RequestScope#run}.</li>
 * </ul>
 * Keys are compared with {@code equals}; a null key is allowed. For functions that return a
 * {@link CompletableFuture}, use {@link ScopedAsyncMemoizer}, which shares the in-flight future.
 *
 * <p>A memoizer is immutable and safe to share; create each one once, typically in a
 * {@code static final} field. Unless otherwise specified, passing a null argument to a method of
 * this class throws {@link NullPointerException} naming the parameter.
 *
 * @param <K> the type of the keys
 * @param <V> the type of the results
 * @implNote A hit costs the scope lookup (one {@link ContextVar} read), one array read (the
 * first 32 memoizers and resources a program creates have a direct slot in every scope; later
 * ones a {@code ConcurrentHashMap} entry) and one {@code ConcurrentHashMap} read, and allocates
 * nothing. Create memoizers once, in {@code static final} fields.
 */
public final class ScopedMemoizer<K, V> implements Function<K, V> {

    /** The default bound on the results one scope keeps per memoizer. */
    public static final int DEFAULT_MAX_SIZE = 10_000;

    private final String name;
    private final Function<? super K, ? extends V> function;
    private final Function<RequestScope, ScopeCache> newCache;
    private final int id = RequestScope.newOwnerId();

    private ScopedMemoizer(String name, int maxSize, Function<? super K, ? extends V> function) {
        this.name = Objects.requireNonNull(name, "name");
        this.function = Objects.requireNonNull(function, "function");
        ScopeCache.checkMaxSize(maxSize);
        this.newCache = scope -> new ScopeCache(maxSize);
    }

    /**
     * Creates a memoizer of {@code function} that keeps at most {@value #DEFAULT_MAX_SIZE}
     * results per scope.
     *
     * @param name a name for messages and {@code toString()}
     * @param function what to memoize
     * @param <K> the type of the keys
     * @param <V> the type of the results
     * @return the memoizer
     * @throws NullPointerException if {@code name} or {@code function} is null
     */
    public static <K, V> ScopedMemoizer<K, V> of(String name, Function<? super K, ? extends V> function) {
        return new ScopedMemoizer<>(name, DEFAULT_MAX_SIZE, function);
    }

    /**
     * Creates a memoizer of {@code function} that keeps at most {@code maxSize} results per scope.
     *
     * @param name a name for messages and {@code toString()}
     * @param maxSize the bound on the results kept per scope, at least 1
     * @param function what to memoize
     * @param <K> the type of the keys
     * @param <V> the type of the results
     * @return the memoizer
     * @throws NullPointerException if {@code name} or {@code function} is null
     * @throws IllegalArgumentException if {@code maxSize} is less than 1
     */
    public static <K, V> ScopedMemoizer<K, V> of(String name, int maxSize, Function<? super K, ? extends V> function) {
        return new ScopedMemoizer<>(name, maxSize, function);
    }

    /** {@return the name given at creation} */
    public String name() {
        return name;
    }

    /**
     * Returns the result for {@code key} in the current scope, computing it on first use.
     *
     * @param key the key; may be null
     * @return the result, possibly null
     * @throws IllegalStateException if no scope is bound in the current context, if the scope has
     *         ended, or if the computation of {@code key} asked for {@code key} again on this thread
     */
    @Override
    @SuppressWarnings("unchecked")
    public V apply(K key) {
        ScopeCache cache = ScopeCache.of(this, id, newCache);
        Object k = ScopeCache.mask(key);
        Object e = cache.map.get(k);
        if (e != null && !(e instanceof InFlight)) {
            return (V) ScopeCache.unmask(e);
        }
        return (V) ScopeCache.unmask(slowPath(cache, k, key, e));
    }

    /** A miss or an in-flight key: compute, or wait for the thread that computes. */
    private Object slowPath(ScopeCache cache, Object k, K key, Object e) {
        while (true) {
            if (e instanceof InFlight) {
                return ((InFlight) e).await(this, key);
            }
            if (e != null) {
                return e;
            }
            if (!cache.reserve()) {
                return ScopeCache.mask(function.apply(key));   // at the bound: computed, not kept
            }
            InFlight mine = new InFlight();
            e = cache.map.putIfAbsent(k, mine);
            if (e != null) {
                cache.release();                               // lost the race: use the winner's
                continue;
            }
            Object result;
            try {
                result = ScopeCache.mask(function.apply(key));
            } catch (Throwable t) {
                cache.map.remove(k, mine);
                cache.release();
                mine.result.completeExceptionally(t);
                throw t;
            }
            cache.map.replace(k, mine, result);
            mine.result.complete(result);
            return result;
        }
    }

    /** {@return a description, for example {@code ScopedMemoizer[user_by_id]}} */
    @Override
    public String toString() {
        return "ScopedMemoizer[" + name + "]";
    }

    /** A key being computed: the computing thread, and where its result or failure goes. */
    private static final class InFlight {
        final Thread owner = Thread.currentThread();
        final CompletableFuture<Object> result = new CompletableFuture<>();

        Object await(ScopedMemoizer<?, ?> memoizer, Object key) {
            if (owner == Thread.currentThread()) {
                throw new IllegalStateException("recursive call of " + memoizer + " for key " + key
                        + ": its computation asked for the same key");
            }
            try {
                return result.join();
            } catch (CompletionException failed) {
                Throwable cause = failed.getCause();
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw failed;
            }
        }
    }
}
