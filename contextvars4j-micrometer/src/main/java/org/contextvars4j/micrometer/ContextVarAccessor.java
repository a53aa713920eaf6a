package org.contextvars4j.micrometer;

import io.micrometer.context.ThreadLocalAccessor;
import java.util.Objects;
import org.contextvars4j.ContextVar;

/**
 * A Micrometer {@link ThreadLocalAccessor} that shows one entry of a foreign context (a Reactor
 * {@code Context} entry written with {@code contextWrite}, or any context Micrometer has a
 * {@code ContextAccessor} for) as a {@link ContextVar}.
 *
 * <h2>Use</h2>
 * Register it once, under the key the entry is written with:
 * <pre>{@code
 * ContextRegistry.getInstance().registerThreadLocalAccessor(ContextVarAccessor.of("requestId", REQUEST_ID));
 * }</pre>
 * With Reactor's {@code Hooks.enableAutomaticContextPropagation()}, operators upstream of
 * {@code contextWrite(Context.of("requestId", "r-1"))} then see {@code REQUEST_ID.get()} return
 * {@code "r-1"}, on whatever thread they run. The other direction holds too: a value of the var
 * current when a pipeline is subscribed (or when a Micrometer snapshot is taken) is captured under
 * the key.
 *
 * <h2>What each call does</h2>
 * <ul>
 *   <li>{@link #getValue()} returns the var's value in the current context, or null when it has
 *       none (Micrometer then leaves the key out; a null value counts as none, since Micrometer
 *       does not store nulls).</li>
 *   <li>{@link #setValue(Object)} sets the var in the current context ({@link ContextVar#set});
 *       the matching {@link #restore(Object)} resets it with the token (S5), so the var is
 *       exactly as before, absent again if it was absent.</li>
 *   <li>{@link #setValue()}, Micrometer's "clear" for a key the source does not hold, leaves the
 *       var as it is: a context var cannot be removed from a context, only reset. The var then
 *       keeps the value of the context carried by {@link ContextThreadLocalAccessor}, if any.</li>
 * </ul>
 * Micrometer restores the accessors of a snapshot in registration order, not in reverse; the
 * accessors of this package undo their changes in LIFO order all the same (a restore whose
 * change is not the innermost is deferred until the changes made after it are undone), so the
 * var is always reset in the context it was set in, whatever the registration order.
 *
 * <p>The value is not type-checked: an entry of another type under the key surfaces as a
 * {@link ClassCastException} where the var is read. Unless otherwise specified, passing a null
 * argument to a method of this class throws {@link NullPointerException} naming the parameter.
 *
 * @param <T> the var's value type
 */
public final class ContextVarAccessor<T> implements ThreadLocalAccessor<T> {

    private final Object key;
    private final ContextVar<T> var;

    private ContextVarAccessor(Object key, ContextVar<T> var) {
        this.key = key;
        this.var = var;
    }

    /**
     * Returns an accessor that shows the entry under {@code key} as {@code var}.
     *
     * @param key the key of the entry (in a Reactor {@code Context}: the key given to
     *        {@code contextWrite}); also the key in Micrometer snapshots
     * @param var the variable that shows the entry
     * @param <T> the value type
     * @return the accessor, to register with a {@code ContextRegistry}
     */
    public static <T> ContextVarAccessor<T> of(Object key, ContextVar<T> var) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(var, "var");
        return new ContextVarAccessor<>(key, var);
    }

    /** {@return the key given to {@link #of}} */
    @Override
    public Object key() {
        return key;
    }

    /** {@return the variable given to {@link #of}} */
    public ContextVar<T> var() {
        return var;
    }

    /** {@return the var's value in the current context}, or null when it has none or its value is null */
    @Override
    public T getValue() {
        return var.orElse(null);
    }

    /**
     * Sets the var to {@code value} in the current context, until the matching {@link #restore(Object)}.
     *
     * @param value the value, from a Micrometer snapshot or a Reactor {@code Context}
     */
    @Override
    public void setValue(T value) {
        Objects.requireNonNull(value, "value");
        ThreadFrames frames = ThreadFrames.current();
        frames.push(this, var.set(value));
    }

    /** Leaves the var as it is until the matching {@link #restore()} (a var cannot be removed, only reset). */
    @Override
    public void setValue() {
        ThreadFrames.current().push(this, ThreadFrames.UNCHANGED);
    }

    /**
     * Resets the var to what it was before the matching {@code setValue}.
     *
     * @param previousValue the value {@link #getValue()} returned before that {@code setValue}
     * @throws IllegalStateException if no {@code setValue} of this accessor is open on this
     *         thread, or the token cannot be used (S5); nothing is changed then
     * @throws IllegalArgumentException if the var was set in another context that is still
     *         current (S5); nothing is changed then
     */
    @Override
    public void restore(T previousValue) {
        Objects.requireNonNull(previousValue, "previousValue");
        close();
    }

    /**
     * Resets the var to what it was before the matching {@code setValue}; Micrometer calls this
     * form when the var had no value then.
     *
     * @throws IllegalStateException as {@link #restore(Object)} does
     * @throws IllegalArgumentException as {@link #restore(Object)} does
     */
    @Override
    public void restore() {
        close();
    }

    private void close() {
        ThreadFrames.current().restore(this);
    }

    /** {@return a description naming the key and the var, e.g. {@code ContextVarAccessor[requestId -> ContextVar[request_id]]}} */
    @Override
    public String toString() {
        return "ContextVarAccessor[" + key + " -> " + var + "]";
    }
}
