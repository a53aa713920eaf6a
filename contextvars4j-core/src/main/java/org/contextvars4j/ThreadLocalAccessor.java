package org.contextvars4j;

/**
 * Access to state that lives in a foreign {@code ThreadLocal} (SLF4J's MDC, a security holder, a
 * tenant id, ...), so that it travels with the context at every propagation point (P6).
 *
 * <h2>How it is used</h2>
 * Wherever contextvars4j hands work to another thread ({@link Context#wrap(Runnable)},
 * {@link ContextExecutors}, {@link ContextThreads}, {@link ContextCompletableFuture}), it calls
 * {@link #capture()} of every {@linkplain ThreadLocalAccessors registered} accessor on the thread
 * that creates the hand-off, together with capturing the context. When the work runs, it first
 * saves the worker's own values ({@code capture()} on the worker), then installs the captured ones
 * ({@link #restore(Object)}, or {@link #reset()} for a captured null), runs the work in its
 * context, and finally puts the worker's saved values back, last accessor first (LIFO), also when
 * the work throws.
 *
 * <p>Register accessors through {@link java.util.ServiceLoader} (a {@code provides
 * org.contextvars4j.ThreadLocalAccessor with ...} clause in the provider's {@code module-info}, or
 * a {@code META-INF/services/org.contextvars4j.ThreadLocalAccessor} file) or in code with
 * {@link ThreadLocalAccessors#register(ThreadLocalAccessor)}.
 *
 * <p>Implementations must be thread-safe: the methods are called on many threads at once, each
 * time about the calling thread's own {@code ThreadLocal}. They should be fast and should not
 * throw; an exception from one accessor does not stop the others from being restored.
 *
 * @param <V> the type of the captured state; null means "nothing"
 */
public interface ThreadLocalAccessor<V> {

    /**
     * Returns the calling thread's current value, or null when it has none. A mutable value (a
     * map, for example) should be returned as a copy, since it is installed on another thread later.
     *
     * @return the value, or null
     */
    V capture();

    /**
     * Installs {@code value} on the calling thread.
     *
     * @param value a value returned by {@link #capture()}, never null
     */
    void restore(V value);

    /** Clears the state on the calling thread (the {@code ThreadLocal.remove()} of this state). */
    void reset();
}
