package org.contextvars4j.internal;

import java.lang.reflect.Constructor;
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

    private static final Access ACCESS = load();

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

    private static Access load() {
        try {
            Constructor<?> constructor = Class.forName("org.contextvars4j.BridgeAnswers").getDeclaredConstructor();
            constructor.setAccessible(true);      // same module: always allowed
            return (Access) constructor.newInstance();
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
}
