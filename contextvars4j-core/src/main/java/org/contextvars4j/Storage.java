package org.contextvars4j;

import org.contextvars4j.internal.VarMap;

/*
 * Storage: where each thread keeps its current Context.
 *
 * Shape
 * -----
 * One static ThreadLocal whose value is the thread's current Context object itself. Nothing
 * else on the get/set path is thread-local: no per-variable ThreadLocals, no per-variable caches
 * (ContextVar.toString has a recursion guard of its own, empty outside toString). A read is
 *
 *     ThreadLocal.get()  ->  Context.root (and .shift)  ->  (depth) array loads
 *
 * so the read path allocates nothing and its cost is one ThreadLocal.get plus three or four
 * dependent loads, the same on platform and on virtual threads, independent of how many vars
 * exist (up to the log32 depth of the largest var id).
 *
 * On JDK 25+ with -Dcontextvars4j.scopedValues=on (Binding.ON; opt-in, see Binding for why),
 * Context.run, call and supply also bind the context they enter in a ScopedValue, and a read
 * asks that binding first: a per-thread cache probe instead of a
 * ThreadLocal hash lookup. The binding is used only while the bound context is current on the
 * reading thread (entered there and not covered by a later enter: see Binding); everywhere else
 * (enter() scopes, hand-offs, the base context, StructuredTaskScope forks that inherited a
 * parent's binding) the read falls back to the path below. Entries still write the ThreadLocal,
 * so it always holds the truth; the binding only answers faster. Off (the default, and always
 * on JDK 17-24), Binding.ON is a constant false and the read is exactly the path below. Hand-offs (wrap, executors,
 * stages) do not bind: a binding costs more per run than it saves on a task's few reads
 * (docs/benchmarks.md, "Issue 26 item 1").
 *
 * Threads the library creates itself (ContextThreads.start / unstarted) are OwnedThreads: they
 * keep the same slot in a field instead, so a read there skips the ThreadLocal lookup and costs
 * less than ThreadLocal.get() itself. Every access first asks which kind of thread it runs on;
 * measured, that type check is lost in the noise of reads on ordinary threads
 * (docs/benchmarks.md, "Library-owned threads").
 *
 * Invariants
 * ----------
 *  - The ThreadLocal holds null until the thread first needs a Context of its own (S1: a thread
 *    that never entered one sees an empty context; null reads as empty, so pure readers never
 *    allocate). The first set() on such a thread creates its base Context.
 *  - The Context in the ThreadLocal is exclusively this thread's: either the thread's base
 *    context, which is never handed out, or a context entered on this thread, which S7 keeps
 *    off every other thread. So only this thread ever writes Context.root of its current context.
 *  - Entering and exiting a context replaces the ThreadLocal's value (ThreadLocal.set on an
 *    existing entry: no allocation). It is never remove()d: the entry stays so that the next
 *    set is a cheap replace, and the value it keeps after a run/call/scope is exactly the value
 *    it had before (S6, S11: no reference to a finished context survives on the thread).
 */
final class Storage {

    private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

    /**
     * A platform thread the library creates itself ({@link ContextThreads#start},
     * {@link ContextThreads#unstarted}): it keeps its current context in a field, so reads on it
     * skip the ThreadLocal lookup. Every other thread uses the ThreadLocal; the slot is the same
     * either way, only where it lives differs.
     */
    static final class OwnedThread extends Thread {
        Context current;

        OwnedThread(Runnable task) {
            super(task);
        }
    }

    private Storage() {
    }

    /** {@return the current context, or null when the thread has never had one} */
    static Context currentOrNull() {
        if (Binding.ON) {
            Context bound = Binding.readable();
            if (bound != null) {
                return bound;
            }
        }
        return Thread.currentThread() instanceof OwnedThread owned ? owned.current : CURRENT.get();
    }

    /** {@return the map of the current context} */
    static Object[] currentMap() {
        Context c = currentOrNull();
        return c == null ? VarMap.EMPTY : c.root;
    }

    /** {@return the current context, creating the thread's base context on first use} */
    static Context current() {
        Context c = currentOrNull();
        return c != null ? c : createBase();
    }

    /** Creates the thread's base context on its first set; out of line, so that set stays small. */
    private static Context createBase() {
        Context c = new Context();
        c.baseOf = Thread.currentThread();
        setCurrent(c);
        return c;
    }

    /**
     * Makes {@code next} current unless it is current already; {@return the context that was
     * current, or null} (Context.switchTo). Reads the slot itself, not the binding: the slot
     * always holds the current context, and one type check serves the read and the write.
     */
    static Context switchTo(Context next) {
        if (Thread.currentThread() instanceof OwnedThread owned) {
            Context before = owned.current;
            if (before != next) {
                owned.current = next;
            }
            return before;
        }
        Context before = CURRENT.get();
        if (before != next) {
            CURRENT.set(next);
        }
        return before;
    }

    /**
     * Makes {@code next} current if {@code expected} is the current context; {@return the context
     * that was current, or null} (Context.switchBack). Reads the slot, as {@link #switchTo}.
     */
    static Context switchBack(Context expected, Context next) {
        if (Thread.currentThread() instanceof OwnedThread owned) {
            Context current = owned.current;
            if (current == expected) {
                owned.current = next;
            }
            return current;
        }
        Context current = CURRENT.get();
        if (current == expected) {
            CURRENT.set(next);
        }
        return current;
    }

    /** Makes {@code context} (possibly null: "never had one") current. */
    static void setCurrent(Context context) {
        if (Thread.currentThread() instanceof OwnedThread owned) {
            owned.current = context;
        } else {
            CURRENT.set(context);
        }
    }
}
