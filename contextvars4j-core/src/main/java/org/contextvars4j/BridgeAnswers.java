package org.contextvars4j;

import org.contextvars4j.internal.Bridges;
import org.contextvars4j.internal.VarMap;

/**
 * The core's side of {@link Bridges}: the answers the bridges keep in the thread's current
 * context. Instantiated once, reflectively, by {@link Bridges}.
 */
final class BridgeAnswers extends Bridges.Access {

    private BridgeAnswers() {
    }

    @Override
    protected Object answer(int slot) {
        Context c = Storage.currentOrNull();
        return c == null ? null : slot == Bridges.OPENTELEMETRY ? c.answer0 : c.answer1;
    }

    @Override
    protected void keep(int slot, Context derivedFrom, Object answer) {
        Context c = Storage.currentOrNull();
        if (c == null || c.root != derivedFrom.map()) {
            return;
        }
        if (slot == Bridges.OPENTELEMETRY) {
            c.answer0 = answer;
        } else {
            c.answer1 = answer;
        }
    }

    @Override
    protected Object[] currentMap() {
        return Storage.currentMap();
    }

    @Override
    protected Object valueIn(Object[] map, ContextVar<?> var) {
        return VarMap.get(map, var.id, null);
    }

    @Override
    protected Object[] replace(ContextVar<?> var, Object value) {
        return write(Context.forSet(), var, value);   // as ContextVar.set: base created, borrow copied
    }

    @Override
    protected boolean restore(Object[] expected, Object[] before) {
        return putBack(Storage.currentOrNull(), expected, before);
    }

    /**
     * Sets {@code var} to {@code value} (or removes it, for {@link Token#MISSING}) in
     * {@code context}, a {@link Context#forSet()} answer, without a token. {@return the map after}
     */
    private static Object[] write(Context context, ContextVar<?> var, Object value) {
        Object[] before = context.root;
        Object[] after = value == Token.MISSING ? VarMap.without(before, var.id) : VarMap.with(before, var.id, var, value);
        context.setMap(after);
        return after;
    }

    /**
     * Makes {@code before} the map of {@code context} (the current context, or null) again when
     * its map is still {@code expected}, as a token's O(1) reset would; a borrowed context is
     * never changed, its run's own copy is. {@return whether it did}; when false, nothing changed
     */
    private static boolean putBack(Context context, Object[] expected, Object[] before) {
        if (context == null || context.root != expected) {
            return false;
        }
        Context c = context.borrowed ? context.copyForBorrow() : context;
        c.setMap(before);
        return true;
    }

    /**
     * The core's side of {@link Bridges.Writes}: the one-lookup read-modify-write of a var, for
     * the MDC's put and remove (issue 26). Each write is the one {@link ContextVar#set} or a
     * token's O(1) reset makes; only the second lookup of the current context is gone.
     * Instantiated once, reflectively, by {@link Bridges}.
     */
    static final class Writes extends Bridges.Writes {

        private Writes() {
        }

        @Override
        protected Context contextForWrite() {
            return Context.forSet();                   // as ContextVar.set: base created, borrow copied
        }

        @Override
        protected Context currentContext() {
            return Storage.currentOrNull();
        }

        @Override
        protected Object[] mapOf(Context context) {
            return context == null ? VarMap.EMPTY : context.root;   // the owner thread's plain read
        }

        @Override
        protected Object[] replaceIn(Context context, ContextVar<?> var, Object value) {
            return write(context, var, value);
        }

        @Override
        protected boolean restoreIn(Context context, Object[] expected, Object[] before) {
            return putBack(context, expected, before);
        }
    }
}
