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
        Context c = Storage.current();
        if (c.borrowed) {
            c = c.copyForBorrow();                 // as ContextVar.set: the run's own copy
        }
        Object[] after = value == Token.MISSING ? VarMap.without(c.root, var.id) : VarMap.with(c.root, var.id, var, value);
        c.setMap(after);
        return after;
    }

    @Override
    protected boolean restore(Object[] expected, Object[] before) {
        Context c = Storage.currentOrNull();
        if (c == null || c.root != expected) {
            return false;
        }
        if (c.borrowed) {
            c = c.copyForBorrow();                 // the borrowed context itself never changes
        }
        c.setMap(before);
        return true;
    }
}
