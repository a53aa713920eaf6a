package org.contextvars4j;

import org.contextvars4j.internal.Bridges;

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
}
