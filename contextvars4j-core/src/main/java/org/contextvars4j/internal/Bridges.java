package org.contextvars4j.internal;

import java.lang.reflect.Constructor;
import java.util.Objects;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;

/**
 * For this project's bridges only (the package is exported to their modules alone): the answer a
 * bridge derived from the current contextvars4j context, kept in that context itself, so that
 * the lookup that finds the current context also finds the answer.
 *
 * <p>A bridge's {@code current()} (OpenTelemetry's, gRPC's) returns an object built from the
 * current context: a snapshot of its vars, wrapped for the other library. Its callers compare
 * that object with {@code ==}, so it must stay the same while the context does not change, and
 * a read must allocate nothing. {@link #answer} returns what {@link #keep} stored for a bridge,
 * as long as the current context's variables have not changed since: any set, reset, enter or
 * exit drops it (the context's slot is cleared with every change of its map, or a different
 * context is current). One {@code ThreadLocal} read, no allocation.
 *
 * <p>Nothing outlives its use (S11): an answer lives in the context it was derived from and is
 * dropped when that context's variables change, so it keeps alive nothing the context does not.
 */
public final class Bridges {

    /** The slot of the OpenTelemetry bridge. */
    public static final int OPENTELEMETRY = 0;

    /** The slot of the gRPC storage override. */
    public static final int GRPC = 1;

    private static final Access ACCESS = load("org.contextvars4j.BridgeAnswers", Access.class);

    private Bridges() {
    }

    /**
     * The core's implementation, in the package that owns the per-thread storage.
     */
    public abstract static class Access {

        /** For the core's implementation only. */
        protected Access() {
        }

        /**
         * {@return the answer kept for {@code slot} in the current context, or null}
         *
         * @param slot {@link #OPENTELEMETRY} or {@link #GRPC}
         */
        protected abstract Object answer(int slot);

        /**
         * Keeps {@code answer} for {@code slot} in the current context, when {@code derivedFrom}
         * still has its variables.
         *
         * @param slot {@link #OPENTELEMETRY} or {@link #GRPC}
         * @param derivedFrom the copy of the current context the answer was built from
         * @param answer the answer
         */
        protected abstract void keep(int slot, Context derivedFrom, Object answer);
    }

    /** {@return an instance of the core's class {@code className}, made through its private constructor} */
    private static <T> T load(String className, Class<T> type) {
        try {
            Constructor<?> constructor = Class.forName(className).getDeclaredConstructor();
            constructor.setAccessible(true);      // same module: always allowed
            return type.cast(constructor.newInstance());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * {@return what {@link #keep} stored for {@code slot}, while the current context's variables
     * are those it was derived from; else null}
     *
     * @param slot {@link #OPENTELEMETRY} or {@link #GRPC}
     */
    public static Object answer(int slot) {
        return ACCESS.answer(slot);
    }

    /**
     * Keeps {@code answer}, built from {@code derivedFrom} (a copy of the current context), for
     * {@code slot}; does nothing when the current context has changed since the copy.
     *
     * @param slot {@link #OPENTELEMETRY} or {@link #GRPC}
     * @param derivedFrom the copy the answer was built from
     * @param answer the answer, not null
     */
    public static void keep(int slot, Context derivedFrom, Object answer) {
        ACCESS.keep(slot, derivedFrom, answer);
    }

    /**
     * {@return whether the current context holds exactly the vars of {@code snapshot}, with the
     * same values by identity, {@code ignored} (a bridge's own var) left out on both sides}
     *
     * @param snapshot a copy of some context
     * @param ignored the var not to compare
     */
    public static boolean sameVarsAsCurrent(Context snapshot, ContextVar<?> ignored) {
        Context here = Context.copyCurrent();
        if (ownVars(here, ignored) != ownVars(snapshot, ignored)) {
            return false;
        }
        for (ContextVar<?> var : snapshot.keySet()) {
            if (var != ignored && (!here.containsKey(var) || here.get(var) != snapshot.get(var))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@return the number of vars in {@code context}, {@code ignored} not counted}
     *
     * @param context a context
     * @param ignored the var not to count
     */
    public static int ownVars(Context context, ContextVar<?> ignored) {
        return context.size() - (context.containsKey(ignored) ? 1 : 0);
    }

    // ---- Activations (issue 23): contextvars4j-kotlin's coroutine element ----------------------

    /**
     * The core's implementation of {@link #activate} and {@link #deactivate}, in the package that
     * owns the per-thread storage.
     */
    public abstract static class Activations {

        /** For the core's implementation only. */
        protected Activations() {
        }

        /**
         * Enters {@code context} without a scope; see {@link Bridges#activate}.
         *
         * @param context the context
         */
        protected abstract void activate(Context context);

        /**
         * Leaves {@code context}, entered by {@link #activate}; see {@link Bridges#deactivate}.
         *
         * @param context the context
         */
        protected abstract void deactivate(Context context);
    }

    private static final Activations ACTIVATIONS = load("org.contextvars4j.Context$Activations", Activations.class);

    /**
     * Makes {@code context} current on the calling thread until {@link #deactivate}, with no
     * {@link org.contextvars4j.Scope}: an entry that is not a lexical block, for a coroutine
     * element, which enters its coroutine's context at each resumption and leaves it at each
     * suspension (kotlinx's {@code updateThreadContext} / {@code restoreThreadContext}). S7
     * holds as for {@link Context#enter()}: a context is entered on one thread at a time.
     *
     * @param context the context
     * @throws NullPointerException if {@code context} is null
     * @throws IllegalStateException if {@code context} is already entered, on this or another
     *         thread ("cannot enter context: ... is already entered"); nothing is changed
     * @implNote No allocation: one compare-and-set (S7) and the two {@code ThreadLocal} accesses
     * of any enter. The pair costs what {@code enter()} and {@code Scope.close()} cost, less the
     * scope and one lookup of the current context.
     */
    public static void activate(Context context) {
        ACTIVATIONS.activate(Objects.requireNonNull(context, "context"));
    }

    /**
     * Leaves {@code context}, made current by {@link #activate} on the calling thread, and makes
     * the context that was current before current again. S8 holds as for
     * {@link org.contextvars4j.Scope#close()}: exits are refused, changing nothing, out of order
     * or on another thread.
     *
     * @param context the context
     * @throws NullPointerException if {@code context} is null
     * @throws IllegalStateException if {@code context} is not entered, is entered on another
     *         thread, was entered by {@code run}, {@code call} or {@code enter} rather than by
     *         {@link #activate}, or is not the current context (a context entered on top of it
     *         is still entered); nothing is changed
     */
    public static void deactivate(Context context) {
        ACTIVATIONS.deactivate(Objects.requireNonNull(context, "context"));
    }
}
