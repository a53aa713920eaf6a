package org.contextvars4j;

import org.contextvars4j.internal.VarMap;

/**
 * The receipt of one {@link ContextVar#set(Object)}: it remembers the variable, the context the
 * set happened in and the value before it, so that the set can be undone exactly once.
 *
 * <p>Closing a token resets its variable (Python 3.14's {@code with var.set(x):}), so a temporary
 * override is a try-with-resources block:
 * <pre>{@code
 * try (Token<String> t = USER.set("alice")) {
 *     assert USER.get().equals("alice");
 * }   // USER is back to what it was, also when the block throws
 * }</pre>
 *
 * <p>A token is meant for the thread that created it; it is not thread-safe, and it can only be
 * used in the context it was created in (S5).
 *
 * @param <T> the type of the variable's value
 */
public final class Token<T> implements AutoCloseable {

    /**
     * The value of {@link #oldValue()} when the variable had no value in the context before the
     * {@code set} (Python's {@code Token.MISSING}).
     */
    public static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "Token.MISSING";
        }
    };

    final ContextVar<T> var;
    final Context context;
    /** The context's map before the {@code set}: the old value lives there. */
    final Object[] before;
    /** The map the {@code set} made; while the context still holds it, reset is O(1). */
    final Object[] after;
    boolean used;

    Token(ContextVar<T> var, Context context, Object[] before, Object[] after) {
        this.var = var;
        this.context = context;
        this.before = before;
        this.after = after;
    }

    /** {@return the variable whose {@code set} created this token} */
    public ContextVar<T> var() {
        return var;
    }

    /**
     * {@return the variable's value before the {@code set}, or {@link #MISSING} when it had none}
     */
    public Object oldValue() {
        return VarMap.get(before, var.id, MISSING);
    }

    /** {@return whether this token was already used to reset its variable} */
    public boolean isUsed() {
        return used;
    }

    /**
     * Resets the variable: the same as {@code var().reset(this)}, with the same refusals.
     *
     * @throws IllegalStateException if the token was already used
     * @throws IllegalArgumentException if the current context is not the one the token was
     *         created in
     */
    @Override
    public void close() {
        var.reset(this);
    }

    /** {@return a description: the variable's name and whether it was used, e.g. {@code Token[user, used]}} */
    @Override
    public String toString() {
        return "Token[" + var.name() + ", " + (used ? "used" : "unused") + "]";
    }
}
