package org.contextvars4j.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.internal.Bridges;

/*
 * How the bridge stores OpenTelemetry's context.
 *
 * One contextvars4j var, CURRENT, holds the Attachment that last made an OpenTelemetry context
 * current in the current contextvars4j context. An Attachment is at once the stored value (its
 * field `otel`) and the Scope handed back to OpenTelemetry, so an attach allocates the scope and
 * the token of one var set, nothing else. Because the value lives in the contextvars4j context,
 * every contextvars4j hand-off (executor wrappers, ContextCompletableFuture stages, thread
 * factories, Context.run) carries it with the rest.
 *
 * The other direction needs a snapshot. OpenTelemetry's wrappers capture Context.current() and
 * later call makeCurrent() on the worker: nothing else. So current() returns, when the current
 * contextvars4j context holds vars of its own, a CarryingContext: the OpenTelemetry context plus
 * an O(1) copy of the contextvars4j context. attach() of a CarryingContext then decides:
 *
 *   - same lineage: the snapshot holds the very Attachment that is current here (the usual
 *     Context.current().with(span).makeCurrent() on one thread), or it holds the same vars with the
 *     same values as here (a worker our own wrappers already gave the context): set CURRENT, as
 *     for a plain context;
 *   - otherwise (another thread, a context extracted from a request): enter a copy of the
 *     snapshot, set CURRENT inside it, and let the scope's close exit it.
 *
 * Identity. OpenTelemetry's own storage returns the very object that was attached, so callers
 * compare with == (current() == captured, attaching the current context gives the no-op scope). The
 * bridge keeps that: current() keeps its answer in the current contextvars4j context itself
 * (org.contextvars4j.internal.Bridges), which drops it with any change of its vars, and returns the
 * same object while it is there: the one ThreadLocal read that finds the context finds the answer.
 * The answer lives in the context it came from, so it keeps alive nothing that context does not (a
 * pooled thread keeps no finished task's values, S11). A CarryingContext is equal to another when both
 * parts are: the same OpenTelemetry context and the same vars with equal values, so a context read
 * again after a scope closed equals the one read before it opened.
 *
 * Closing follows OpenTelemetry's ThreadLocalContextStorage: a scope whose Attachment is not the
 * current one here (closed out of order, or on another thread, or after its contextvars4j context
 * was left) is ignored, logged at DEBUG, and can still be closed later when it is current again; a
 * second close of a closed scope does nothing. OpenTelemetry's strict mode wraps this storage and
 * reports both as errors.
 */
final class BridgeStorage implements ContextStorage {

    static final BridgeStorage INSTANCE = new BridgeStorage();

    /** The attachment whose OpenTelemetry context is current in the current contextvars4j context. */
    static final ContextVar<Attachment> CURRENT = ContextVar.of("opentelemetry.context", null);

    private static final System.Logger LOGGER = System.getLogger(BridgeStorage.class.getName());

    private BridgeStorage() {
    }

    @Override
    public Scope attach(Context toAttach) {
        if (toAttach == null) {
            return Scope.noop();
        }
        Attachment current = CURRENT.get();
        if (toAttach instanceof CarryingContext) {
            CarryingContext carrying = (CarryingContext) toAttach;
            if (!sameLineage(carrying.vars, current)) {
                return enter(carrying);
            }
            toAttach = carrying.otel;
        }
        Context before = current == null ? Context.root() : current.otel;
        if (toAttach == before) {
            return Scope.noop();
        }
        Attachment attachment = new Attachment(toAttach, null);
        attachment.token = CURRENT.set(attachment);
        return attachment;
    }

    private static Scope enter(CarryingContext carrying) {
        org.contextvars4j.Context target = carrying.vars.copy();
        org.contextvars4j.Scope entered = target.enter();
        Attachment attachment = new Attachment(carrying.otel, entered);
        attachment.token = CURRENT.set(attachment);
        return attachment;
    }

    /**
     * Whether the vars captured in {@code snapshot} are already those of the current contextvars4j
     * context, so that attaching needs no new context.
     */
    private static boolean sameLineage(org.contextvars4j.Context snapshot, Attachment current) {
        return (current != null && snapshot.get(CURRENT) == current) || Bridges.sameVarsAsCurrent(snapshot, CURRENT);
    }

    /** {@return the number of vars in {@code context}, not counting the bridge's own} */
    static int ownVars(org.contextvars4j.Context context) {
        return Bridges.ownVars(context, CURRENT);
    }

    @Override
    public Context current() {
        // Steady state: the answer kept in the current contextvars4j context, still there while
        // its vars are unchanged (that map also holds CURRENT, so any attach, close, set, reset,
        // enter or exit since has dropped it). One ThreadLocal read, no allocation.
        Object kept = Bridges.answer(Bridges.OPENTELEMETRY);
        if (kept != null) {
            return (Context) kept;
        }
        // One lookup of the current contextvars4j context, then reads of the (immutable) copy.
        org.contextvars4j.Context vars = org.contextvars4j.Context.copyCurrent();
        Attachment current = vars.get(CURRENT);
        Context otel = current == null ? Context.root() : current.otel;
        int own = vars.size() - (current != null || vars.containsKey(CURRENT) ? 1 : 0);
        // No var of the user's: the answer is OpenTelemetry's own object; else the carrying one.
        Context answer = own == 0 ? otel : new CarryingContext(otel, vars);
        Bridges.keep(Bridges.OPENTELEMETRY, vars, answer);
        return answer;
    }

    /** One attach: the OpenTelemetry context made current, and the scope that undoes it. */
    static final class Attachment implements Scope {

        final Context otel;
        private final org.contextvars4j.Scope entered;
        Token<Attachment> token;
        private boolean closed;

        Attachment(Context otel, org.contextvars4j.Scope entered) {
            this.otel = otel;
            this.entered = entered;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (CURRENT.get() != this) {
                LOGGER.log(System.Logger.Level.DEBUG, "ignoring close of a scope whose context is not"
                        + " the current one (closed out of order, on another thread, or after its"
                        + " contextvars4j context was left): {0}", otel);
                return;
            }
            try {
                if (entered != null) {
                    entered.close();
                } else {
                    CURRENT.reset(token);
                }
                closed = true;
            } catch (IllegalStateException | IllegalArgumentException refused) {
                LOGGER.log(System.Logger.Level.DEBUG, "ignoring close of a scope the contextvars4j"
                        + " context refuses to undo here: {0}", refused.getMessage());
            }
        }

        @Override
        public String toString() {
            return "Scope[" + otel + (entered != null ? ", own context" : "") + (closed ? ", closed]" : ", open]");
        }
    }
}
