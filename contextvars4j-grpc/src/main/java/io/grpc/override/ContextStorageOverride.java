package io.grpc.override;

import io.grpc.Context;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.internal.Bridges;

/**
 * The storage of gRPC's current {@link Context}, kept inside the current contextvars4j
 * {@link org.contextvars4j.Context}: one store for both. gRPC loads this class by its name when it
 * first needs its storage, so having the {@code contextvars4j-grpc} jar on the class path (or its
 * module on the module path) switches it on; nothing is to be called.
 *
 * <h2>What follows what</h2>
 *
 * <p>gRPC's current context is the value of one contextvars4j var. Every contextvars4j hand-off
 * (wrapped executors, thread factories, {@code ContextCompletableFuture} stages,
 * {@code Context.run}) therefore carries {@code io.grpc.Context.current()}, with its values,
 * deadline and cancellation.
 *
 * <p>The other way round, when the current contextvars4j context holds vars of its own,
 * {@link #current()} returns a child of the attached gRPC context that also carries an O(1)
 * snapshot of those vars. gRPC's own hand-offs ({@code Context.wrap},
 * {@code currentContextExecutor}, {@code fixedContextExecutor}, the client call's callbacks)
 * attach that child on the other thread, and the attach enters a copy of the snapshot there: the
 * task sees the vars of the code that captured it, and the thread's own context is untouched
 * afterwards. Attaching it on a thread whose context already holds those very vars enters nothing.
 *
 * <h2>gRPC's contract</h2>
 *
 * <ul>
 *   <li>{@link #doAttach} returns the context attached before (the root context when none was);</li>
 *   <li>{@link #detach} of a context that is not the current one is logged at {@code SEVERE}
 *       (logger {@code io.grpc.override.ContextStorageOverride}, with a stack trace of the caller),
 *       as gRPC's default storage does, never thrown, and {@code toRestore} is made current all the
 *       same;</li>
 *   <li>when no contextvars4j var is set, {@code Context.current()} is the very context attached;
 *       when some are, it is the carrying child: same values, deadline and cancellation, but not
 *       the same object as the one attached. It is the same object from one call to the next
 *       while nothing is set, reset, entered, exited, attached or detached in between, so a
 *       context read twice compares equal with {@code ==}.</li>
 * </ul>
 *
 * @apiNote Public, with a public constructor, only because gRPC instantiates it reflectively.
 * @implNote {@code current()} is one {@code ThreadLocal} read and allocates nothing in the steady
 *           state: its answer is kept in the current contextvars4j context, which drops it with
 *           any change of its vars, so it keeps alive nothing the context does not. An attach
 *           sets one var without a token (one map copy and one small record), a detach puts the
 *           map before it back; attaching the current context again changes nothing.
 */
public final class ContextStorageOverride extends Context.Storage {

    /** The attachment of gRPC's current context in the current contextvars4j context. */
    private static final ContextVar<Attachment> CURRENT = ContextVar.of("grpc.context", null);

    /** The key under which a carrying child holds its snapshot of the contextvars4j vars. */
    private static final Context.Key<org.contextvars4j.Context> VARS = Context.key("contextvars4j.vars");

    private static final Logger LOG = Logger.getLogger(ContextStorageOverride.class.getName());

    /** Creates the storage; called by gRPC. */
    public ContextStorageOverride() {
    }

    /**
     * {@return the attached gRPC context, or, when the current contextvars4j context holds vars of
     * its own, a child of it carrying a snapshot of them; gRPC's root when none is attached and no
     * var is set (gRPC's storage contract lets {@code current()} return null or the root there,
     * and {@code Context.current()} returns the root either way)}
     */
    @Override
    public Context current() {
        // Steady state: the answer kept in the current contextvars4j context (dropped by any
        // change of its vars, CURRENT included), returned as it is: the root too, which gRPC
        // treats as it treats null (Context.current() maps null to ROOT), so no compare is left
        // on the read path.
        Object kept = Bridges.answer(Bridges.GRPC);
        if (kept != null) {
            return (Context) kept;
        }
        org.contextvars4j.Context vars = org.contextvars4j.Context.copyCurrent();
        Attachment attachment = vars.get(CURRENT);
        int size = vars.size();
        // CURRENT is never present with a null value: a detach to the root removes it.
        int own = size - (attachment != null ? 1 : 0);
        Context base = attachment == null ? Context.ROOT : attachment.context;
        Context answer = own == 0 ? base : base.withValue(VARS, vars);
        Bridges.keep(Bridges.GRPC, vars, answer);
        return answer;
    }

    /**
     * Makes {@code toAttach} current in the current contextvars4j context; when it carries a
     * snapshot of vars that are not those of the current context, in a copy of the snapshot,
     * entered until the matching {@link #detach}. Attaching the context that is already current
     * changes nothing.
     *
     * @return the context attached before, or the root context
     */
    @Override
    public Context doAttach(Context toAttach) {
        Object[] here = Bridges.currentMap();
        Attachment before = (Attachment) Bridges.valueIn(here, CURRENT);
        Context previous = before == null ? Context.ROOT : before.context;
        org.contextvars4j.Context snapshot = VARS.get(toAttach);
        if (snapshot == null || Bridges.sameVarsAsCurrent(snapshot, CURRENT)) {
            if (toAttach == previous) {
                return previous;                  // already current: the detach restores it, no-op
            }
            Attachment attachment = new Attachment(toAttach, previous, null, here);
            attachment.after = Bridges.replace(CURRENT, attachment);
        } else {
            org.contextvars4j.Scope entered = snapshot.copy().enter();
            Bridges.replace(CURRENT, new Attachment(toAttach, previous, entered, null));
        }
        return previous;
    }

    /**
     * Ends the attach of {@code toDetach} and makes {@code toRestore} current. When
     * {@code toDetach} is not the current context, logs at {@code SEVERE} and restores all the same.
     */
    @Override
    public void detach(Context toDetach, Context toRestore) {
        Object[] here = Bridges.currentMap();
        Attachment current = (Attachment) Bridges.valueIn(here, CURRENT);
        Context attached = current == null ? Context.ROOT : current.context;
        if (attached != toDetach) {
            LOG.log(Level.SEVERE, "Context was not attached when detaching",
                    new Throwable("detach of " + toDetach + " while " + attached + " is current").fillInStackTrace());
        }
        if (attached == toRestore) {
            return;                               // the detach of an attach that changed nothing
        }
        // The common case, in O(1) and allocation-free: the attach being undone is the last change
        // of this context, and toRestore is what it replaced.
        if (current != null && current.after == here && current.previous == toRestore && Bridges.restore(here, current.before)) {
            return;
        }
        // As gRPC's default storage does, toRestore is made current whatever went before: by
        // undoing the attaches above it when it is below in this context, else by setting it.
        Attachment now = current;
        if (now != null && attached == toDetach) {
            if (undo(now)) {
                now = (Attachment) Bridges.valueIn(Bridges.currentMap(), CURRENT);
            } else if (now.entered != null) {
                LOG.log(Level.SEVERE, "Context was attached in another contextvars4j context than the one current when detaching",
                        new Throwable("detach of " + toDetach).fillInStackTrace());
            }
        }
        while (now != null && now.context != toRestore && now.entered == null && undo(now)) {
            now = (Attachment) Bridges.valueIn(Bridges.currentMap(), CURRENT);
        }
        if ((now == null ? Context.ROOT : now.context) != toRestore) {
            Bridges.replace(CURRENT, toRestore == Context.ROOT ? Token.MISSING : new Attachment(toRestore, null, null, null));
        }
    }

    /**
     * {@return whether the attach could be undone exactly: its entered copy left, or the map
     * before it put back while nothing else changed since}
     */
    private static boolean undo(Attachment attachment) {
        if (attachment.entered == null) {
            return attachment.after != null && Bridges.restore(attachment.after, attachment.before);
        }
        try {
            attachment.entered.close();
            return true;
        } catch (IllegalStateException | IllegalArgumentException refused) {
            return false;
        }
    }

    /**
     * One attach: the gRPC context made current, the one it replaced and either the scope of the
     * entered snapshot or the contextvars4j maps before and after the attach (what a token would
     * hold, without one).
     */
    private static final class Attachment {

        final Context context;
        final Context previous;
        final org.contextvars4j.Scope entered;
        final Object[] before;
        Object[] after;

        Attachment(Context context, Context previous, org.contextvars4j.Scope entered, Object[] before) {
            this.context = context;
            this.previous = previous;
            this.entered = entered;
            this.before = before;
        }

        @Override
        public String toString() {
            return "grpc " + context + (entered != null ? " (own context)" : "");
        }
    }
}
