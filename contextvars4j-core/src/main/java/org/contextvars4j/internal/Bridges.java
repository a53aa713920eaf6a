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

        // Token-free replace (issue 25): see Bridges.currentMap, valueIn, replace, restore.

        /** {@return the current context's map} */
        protected abstract Object[] currentMap();

        /**
         * {@return the value of {@code var} in {@code map}, or null when absent}
         *
         * @param map a map from {@link #currentMap} or {@link #replace}
         * @param var the var
         */
        protected abstract Object valueIn(Object[] map, ContextVar<?> var);

        /**
         * Sets {@code var} to {@code value} in the current context, without a token.
         *
         * @param var the var
         * @param value the value
         * @return the context's new map
         */
        protected abstract Object[] replace(ContextVar<?> var, Object value);

        /**
         * Makes {@code before} the current context's map, if that map is {@code expected}.
         *
         * @param expected the map the current context must hold
         * @param before the map to put back
         * @return whether it did
         */
        protected abstract boolean restore(Object[] expected, Object[] before);
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

    // ---- One-lookup read-modify-write (issue 26): the MDC's put and remove -------------------
    //
    // An MDC put reads the MDC var's entries and writes new ones. Through currentMap and replace
    // that is two lookups of the current context (and the paired remove two more): these
    // methods find the context once and hand it to the writes that follow, in the same call, on
    // the same thread. Each write is the one ContextVar.set or a token's O(1) reset makes (S3: a
    // copy taken earlier keeps its map; a borrowing hand-off gets its own copy first), so no
    // rule changes; only the second lookup is gone. The context handed out is the thread's own
    // (its base context, or one entered on it): never keep it past the call, never pass it to
    // another thread.

    /**
     * The core's implementation of the one-lookup writes, in the package that owns the
     * per-thread storage.
     */
    public abstract static class Writes {

        /** For the core's implementation only. */
        protected Writes() {
        }

        /** {@return the context a set goes to; see {@link Bridges#contextForWrite}} */
        protected abstract Context contextForWrite();

        /** {@return the current context, or null; see {@link Bridges#currentContext}} */
        protected abstract Context currentContext();

        /**
         * {@return the map of {@code context}; see {@link Bridges#mapOf}}
         *
         * @param context a context from {@link #contextForWrite} or {@link #currentContext}, or null
         */
        protected abstract Object[] mapOf(Context context);

        /**
         * Sets a var in {@code context}; see {@link Bridges#replaceIn}.
         *
         * @param context a context from {@link #contextForWrite}
         * @param var the var
         * @param value the value
         * @return the context's new map
         */
        protected abstract Object[] replaceIn(Context context, ContextVar<?> var, Object value);

        /**
         * Puts a map back in {@code context}; see {@link Bridges#restoreIn}.
         *
         * @param context a context from {@link #currentContext}, or null
         * @param expected the map the context must hold
         * @param before the map to put back
         * @return whether it did
         */
        protected abstract boolean restoreIn(Context context, Object[] expected, Object[] before);
    }

    private static final Writes WRITES = load("org.contextvars4j.BridgeAnswers$Writes", Writes.class);

    /**
     * {@return the context a {@link ContextVar#set} on this thread would write to}: the current
     * context; the thread's base context, created now, when it has none; a borrowing hand-off's
     * own copy, made and entered now, inside one (as {@code set} does). One lookup of the current
     * context. Read it with {@link #mapOf}, write it with {@link #replaceIn}, in the same call on
     * this thread only.
     */
    public static Context contextForWrite() {
        return WRITES.contextForWrite();
    }

    /**
     * {@return the current context, or null when this thread never had one}: one lookup,
     * nothing created. Read it with {@link #mapOf}, write it with {@link #restoreIn}, in the
     * same call on this thread only.
     */
    public static Context currentContext() {
        return WRITES.currentContext();
    }

    /**
     * {@return the variables of {@code context}, from {@link #contextForWrite} or
     * {@link #currentContext} on this thread (the empty map for null): read it with
     * {@link #valueIn}}
     *
     * @param context the context, or null
     */
    public static Object[] mapOf(Context context) {
        return WRITES.mapOf(context);
    }

    /**
     * {@link #replace} without its lookup: sets {@code var} to {@code value} in
     * {@code context}, which {@link #contextForWrite} returned in this call on this thread, with
     * one copy of the map {@link #mapOf} returned for it. {@code Token.MISSING} removes the var.
     *
     * @param context what {@link #contextForWrite} returned
     * @param var the var
     * @param value the value, may be null; {@code Token.MISSING} to remove the var
     * @return the context's new map (for {@link #restoreIn} or {@link #restore})
     */
    public static Object[] replaceIn(Context context, ContextVar<?> var, Object value) {
        return WRITES.replaceIn(context, var, value);
    }

    /**
     * {@link #restore} without its lookup: when {@code context}, which {@link #currentContext}
     * returned in this call on this thread, still holds {@code expected}, makes {@code before}
     * its map again (in a borrowing hand-off, in the run's own copy, as {@code restore} does).
     *
     * @param context what {@link #currentContext} returned, or null
     * @param expected the map a {@link #replace} or {@link #replaceIn} returned
     * @param before the map current before it
     * @return whether it did; when false, nothing changed
     */
    public static boolean restoreIn(Context context, Object[] expected, Object[] before) {
        return WRITES.restoreIn(context, expected, before);
    }

    // ---- Token-free replace (issue 25: the gRPC storage's attach and detach) ----
    //
    // gRPC attaches and detaches its context around every callback and every Context.run, and
    // its default storage does that with two ThreadLocal writes and no allocation. Through
    // ContextVar.set and reset, each attach paid a Token (and the leak detector's check) on top
    // of the one map copy that copy-on-write needs. These four methods are set and reset without
    // the token: the bridge keeps the maps before and after itself, in the value it sets, and
    // puts the one before back only while the context still holds the one after (what a token's
    // O(1) reset checks), so nothing set in between is lost. S3 holds as for set (a copy taken
    // earlier keeps its map), and a borrowing hand-off makes its copy first, as set and reset do.

    /**
     * {@return the current context's variables, an immutable map: read it with {@link #valueIn},
     * give it back to {@link #restore}}
     */
    public static Object[] currentMap() {
        return ACCESS.currentMap();
    }

    /**
     * {@return the value of {@code var} in {@code map}, or null when it has none}
     *
     * @param map a map from {@link #currentMap} or {@link #replace}
     * @param var the var
     */
    public static Object valueIn(Object[] map, ContextVar<?> var) {
        return ACCESS.valueIn(map, var);
    }

    /**
     * Sets {@code var} to {@code value} in the current context, as {@link ContextVar#set} does
     * (S3: a copy taken earlier keeps the old value; a borrowing hand-off gets its copy first)
     * but without a token, so nothing else is allocated than the map copy.
     * {@link org.contextvars4j.Token#MISSING} as the value removes the var, as a reset does
     * when it had none.
     *
     * @param var the var
     * @param value the value, may be null; {@code Token.MISSING} to remove the var
     * @return the current context's new map (for {@link #restore})
     */
    public static Object[] replace(ContextVar<?> var, Object value) {
        return ACCESS.replace(var, value);
    }

    /**
     * Undoes a {@link #replace} in O(1): when the current context's map is still {@code expected}
     * (what that replace returned: nothing was set, reset, entered or exited since), makes
     * {@code before} (the map before the replace) current again, as a token's reset would.
     *
     * @param expected the map {@link #replace} returned
     * @param before the map current before that replace
     * @return whether it did; when false, nothing changed
     */
    public static boolean restore(Object[] expected, Object[] before) {
        return ACCESS.restore(expected, before);
    }

    // ---- Switches (issue 23): contextvars4j-kotlin's coroutine element -------------------------

    /**
     * The core's implementation of {@link #switchTo} and {@link #switchBack}, in the package that
     * owns the per-thread storage.
     */
    public abstract static class Switches {

        /** For the core's implementation only. */
        protected Switches() {
        }

        /**
         * Makes {@code context} current; see {@link Bridges#switchTo}.
         *
         * @param context the context
         * @return the context that was current, or null
         */
        protected abstract Context switchTo(Context context);

        /**
         * Makes {@code before} current again; see {@link Bridges#switchBack}.
         *
         * @param context the context {@link #switchTo} made current
         * @param before what that call returned
         */
        protected abstract void switchBack(Context context, Context before);
    }

    private static final Switches SWITCHES = load("org.contextvars4j.Context$Switches", Switches.class);

    /**
     * Makes {@code context} current on the calling thread until {@link #switchBack}, without
     * entering it: for a coroutine element, which makes its coroutine's own context current at
     * each resumption and the thread's context current again at each suspension (kotlinx's
     * {@code updateThreadContext} / {@code restoreThreadContext}).
     *
     * <p>Reads, sets, tokens and contexts entered on top work as in an entered context. What is
     * not done is S7's claim: {@link Context#isEntered()} stays false, and nothing stops another
     * thread from making the same context current. That is the caller's to guarantee, and a
     * coroutine element can: its context is a copy no user code can reach, and the coroutine runs
     * on one thread at a time. The one overlap, a suspension still unwinding on one thread to its
     * {@code restoreThreadContext} after the coroutine resumed on another, runs no user code on
     * the first thread, and each thread's switch back reads only that thread's own storage.
     *
     * @param context the context
     * @return the context that was current before (null when the thread had none), to pass to
     *         {@link #switchBack}; {@code context} itself when it was current already, and then
     *         nothing was done (a nested resumption on the same thread) and no switch back is due
     * @throws NullPointerException if {@code context} is null
     * @implNote No allocation, no atomic instruction: one lookup and one store of the current
     * context, as {@code ThreadLocal.get} and {@code set}, and a flag on the previous context.
     */
    public static Context switchTo(Context context) {
        return SWITCHES.switchTo(Objects.requireNonNull(context, "context"));
    }

    /**
     * Makes {@code before} current again on the calling thread, after {@link #switchTo}
     * ({@code context}) returned it there. When {@code context} is not the current context, nothing
     * changes: a switch back repeated after the first one (kotlinx may restore a state twice), or
     * made after a forced exit left {@code context}, is ignored, and one made while a context
     * entered on top of {@code context} is still entered (a scope left open) is refused.
     *
     * @param context the context {@link #switchTo} made current
     * @param before what that call returned (null when the thread had no context)
     * @throws NullPointerException if {@code context} is null
     * @throws IllegalStateException if a context entered on top of {@code context} on this
     *         thread is still entered ("cannot leave context: ... has ... entered on top of it
     *         ..."); nothing is changed
     * @implNote One lookup and one store of the current context; the walk that tells a stale call
     * from a refused one runs only when {@code context} is not current.
     */
    public static void switchBack(Context context, Context before) {
        SWITCHES.switchBack(Objects.requireNonNull(context, "context"), before);
    }

    // ---- Fresh entries (issue 26): contextvars4j-micrometer's setValue ----------------------

    /**
     * The core's implementation of {@link #enterCopy}, in the package that owns the per-thread
     * storage.
     */
    public abstract static class Entries {

        /** For the core's implementation only. */
        protected Entries() {
        }

        /**
         * Enters a fresh copy of {@code source}; see {@link Bridges#enterCopy}.
         *
         * @param source the context to copy
         * @return the scope of the copy's entry
         */
        protected abstract org.contextvars4j.Scope enterCopy(Context source);
    }

    private static final Entries ENTRIES = load("org.contextvars4j.Context$Entries", Entries.class);

    /**
     * {@code source.copy().enter()} without the S7 compare-and-set: the copy is made here and
     * no other thread can reach it, so the check cannot fail, and a plain store claims it (the
     * core's own hand-offs enter their copies the same way). For an accessor that installs one
     * captured context on many threads at once (Micrometer's {@code setValue}): each
     * installation gets its own copy, as S7 requires, and the scope closes it with every S8
     * refusal of {@link org.contextvars4j.Scope#close()}.
     *
     * @param source the context to copy; it is neither entered nor changed
     * @return the scope of the copy's entry; close it on this thread
     * @throws NullPointerException if {@code source} is null
     * @implNote One context and its scope, no atomic operation: {@code copy().enter()} less the
     * compare-and-set.
     */
    public static org.contextvars4j.Scope enterCopy(Context source) {
        return ENTRIES.enterCopy(Objects.requireNonNull(source, "source"));
    }
}
