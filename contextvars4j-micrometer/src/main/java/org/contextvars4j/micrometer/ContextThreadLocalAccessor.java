package org.contextvars4j.micrometer;

import io.micrometer.context.ThreadLocalAccessor;
import java.util.Objects;
import org.contextvars4j.Context;
import org.contextvars4j.internal.Bridges;

/**
 * A Micrometer {@link ThreadLocalAccessor} for the current contextvars4j {@link Context}: wherever
 * Micrometer's context-propagation captures and restores thread-local state (Reactor's automatic
 * propagation, Spring's {@code ContextPropagatingTaskDecorator}, Micrometer's
 * {@code ContextExecutorService} and {@code ContextSnapshot}), the whole context travels too.
 *
 * <h2>Registration</h2>
 * Nothing to do: Micrometer's {@code ContextRegistry.getInstance()} finds this accessor through
 * {@link java.util.ServiceLoader} (the module's {@code provides} clause, or
 * {@code META-INF/services/io.micrometer.context.ThreadLocalAccessor} on the class path), under
 * the key {@value #KEY}. A {@code ContextRegistry} of your own can register an instance with
 * {@code registerThreadLocalAccessor(new ContextThreadLocalAccessor())} or
 * {@code loadThreadLocalAccessors()}.
 *
 * <h2>What each call does</h2>
 * <ul>
 *   <li>{@link #getValue()} captures: it returns a copy of the current context
 *       ({@link Context#copyCurrent()}, O(1) whatever it holds), never null, so an empty context
 *       is propagated as empty rather than leaving the worker's own context in place.</li>
 *   <li>{@link #setValue(Context)} makes a fresh copy of the captured context current, as
 *       {@link Context#enter()} does. A snapshot may be installed on several threads at once (a
 *       Reactor context is shared by every signal of a subscription), and each installation gets
 *       its own copy, so S7 never refuses one and a {@code set} during one signal is not seen by
 *       another.</li>
 *   <li>{@link #setValue()} (Micrometer's "clear") makes a new, empty context current.</li>
 *   <li>{@link #restore(Context)} and {@link #restore()} close the scope the matching
 *       {@code setValue} opened on this thread: the context current before it is current again,
 *       exactly that object, with its values (S6). Scopes close innermost first (S8). Micrometer
 *       restores the accessors of one snapshot in registration order, not in reverse; when this
 *       accessor's scope still has a {@link ContextVarAccessor}'s value set inside it, its
 *       restore is deferred until that value is reset, so the undoing is LIFO whatever the
 *       order of the calls.</li>
 *   <li>A {@link ContextVarAccessor} of the same snapshot may have set its var before this
 *       accessor's {@code setValue}; the context entered then keeps that value, so the var reads
 *       the same whichever accessor Micrometer calls first.</li>
 * </ul>
 *
 * <p>Unless otherwise specified, passing a null argument to a method of this class throws
 * {@link NullPointerException} naming the parameter.
 *
 * @implNote Capture allocates one small {@code Context}; {@code setValue} a copy and its
 * {@code Scope}, entered without the S7 compare-and-set (a copy made for one installation cannot
 * be entered elsewhere; issue 26); the per-thread record of open scopes is one small stack per
 * thread, grown on demand and emptied by every restore.
 */
public final class ContextThreadLocalAccessor implements ThreadLocalAccessor<Context> {

    /** The key under which the context is stored in Micrometer snapshots and in a Reactor {@code Context}. */
    public static final String KEY = "org.contextvars4j.context";

    /** Copied by {@link #setValue()}, never entered or changed itself. */
    private static final Context EMPTY = new Context();

    /**
     * Creates the accessor. {@link java.util.ServiceLoader} calls this constructor; an application
     * needs it only to register the accessor with a {@code ContextRegistry} of its own.
     */
    public ContextThreadLocalAccessor() {
    }

    /** {@return {@value #KEY}} */
    @Override
    public Object key() {
        return KEY;
    }

    /**
     * {@return a copy of the calling thread's current context}, never null
     */
    @Override
    public Context getValue() {
        return Context.copyCurrent();
    }

    /**
     * Makes a fresh copy of {@code value} current on the calling thread, until the matching
     * {@link #restore(Context)}.
     *
     * @param value a context captured by {@link #getValue()}; it is copied, never entered itself
     */
    @Override
    public void setValue(Context value) {
        Objects.requireNonNull(value, "value");
        open(value);
    }

    /** Makes a new, empty context current on the calling thread, until the matching {@link #restore()}. */
    @Override
    public void setValue() {
        open(EMPTY);
    }

    /**
     * Makes current again the context that was current before the matching {@code setValue}.
     *
     * @param previousValue the copy {@link #getValue()} took before that {@code setValue}; the
     *        context restored is the original, not this copy
     * @throws IllegalStateException if no {@code setValue} of this accessor is open on this
     *         thread, or a context entered inside it is still entered (S8); nothing is changed then
     */
    @Override
    public void restore(Context previousValue) {
        Objects.requireNonNull(previousValue, "previousValue");
        close();
    }

    /**
     * Makes current again the context that was current before the matching {@code setValue};
     * Micrometer calls this form when it saw no previous value.
     *
     * @throws IllegalStateException as {@link #restore(Context)} does
     */
    @Override
    public void restore() {
        close();
    }

    /**
     * Whether the core's internal package is exported to this module: false only with
     * contextvars4j-core on the module path and this jar on the class path, where an installation
     * enters its copy through the public {@code copy().enter()}.
     */
    private static final boolean FRESH_ENTRY = Context.class.getModule()
            .isExported("org.contextvars4j.internal", ContextThreadLocalAccessor.class.getModule());

    /** Enters a fresh copy of {@code context} (never {@code context} itself) and records its scope. */
    private void open(Context context) {
        ThreadFrames frames = ThreadFrames.current();
        Context carried = frames.carryInto(context);
        frames.push(this, FRESH_ENTRY ? Bridges.enterCopy(carried) : carried.copy().enter());
    }

    private void close() {
        ThreadFrames.current().restore(this);
    }

    /** {@return {@code ContextThreadLocalAccessor[org.contextvars4j.context]}} */
    @Override
    public String toString() {
        return "ContextThreadLocalAccessor[" + KEY + "]";
    }
}
