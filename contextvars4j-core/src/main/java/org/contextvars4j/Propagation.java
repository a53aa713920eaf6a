package org.contextvars4j;

import java.util.Objects;
import java.util.concurrent.Callable;
import org.contextvars4j.internal.VarMap;

/*
 * Propagation: the one way every hand-off runs work in a captured context.
 *
 * A hand-off captures two things on the thread that creates it: the current context's map
 * (Storage.currentMap(), O(1), no allocation) and the bridged foreign thread-locals
 * (Bridge.capture(), null when no accessor is registered). When the work runs, possibly many
 * times (periodic tasks) and possibly on several threads at once (a Runnable handed to two
 * executors), each run gets a fresh Context over the captured map, so runs never share a
 * context object and S7 never refuses one.
 *
 * Order on the worker (enter / exit below):
 *
 *     bridge.install()            save the worker's thread-locals, install the captured ones
 *       LeakDetection.begin       only while leak detection is on
 *         context.enter           CAS owner (S7), previous = worker's current
 *           task
 *         context.exit            restores the worker's current context; exits by force any
 *                                 context the task left entered (and reports it)
 *       LeakDetection.end         reports tokens not reset / scopes not closed
 *     bridge.uninstall(saved)     LIFO: last accessor first; a failure here does not replace
 *                                 the task's outcome (logged, or suppressed into its exception)
 *
 * Every step after "task" runs in finally blocks: the worker ends exactly as it started,
 * whatever the task did (P2).
 *
 * Cost of the common case (no accessor, detection off): enter allocates nothing beyond the
 * run's Context; the whole hop allocates the wrapper at capture time and one Context per run.
 * A run on the thread whose current context already holds the captured map (a direct executor,
 * a stage completed synchronously) borrows that context instead and allocates nothing: see
 * enterCopy.
 *
 * Every wrapper (ContextRunnable, ContextCallable, StageFunction, StageBiFunction) writes the
 * same few lines around its call: enter, try { call } catch { remember failure } finally { exit }.
 * That is deliberate. One shared helper taking the call as a lambda would turn the user's task
 * into a megamorphic call site inside the helper, which costs more than the lines it saves on
 * the hot path of every hand-off; written out, each wrapper's call site stays monomorphic.
 */
final class Propagation {

    /** Per-run state, allocated only when a bridge or leak detection is in play. */
    static final class Frame {
        Context context;
        Object taskName;
        Bridge bridge;
        Object[] saved;
        LeakDetection.Tracker tracker;
    }

    private Propagation() {
    }

    /** {@return a runnable that runs {@code task} in a fresh copy of the calling thread's current context} */
    static Runnable captureCurrent(Runnable task) {
        Objects.requireNonNull(task, "task");
        return new ContextRunnable(Storage.currentMap(), Bridge.capture(), task);
    }

    /** {@return a callable that calls {@code task} in a fresh copy of the calling thread's current context} */
    static <V> Callable<V> captureCurrent(Callable<V> task) {
        Objects.requireNonNull(task, "task");
        return new ContextCallable<>(null, Storage.currentMap(), Bridge.capture(), task);
    }

    /** {@return a runnable that runs {@code task} in a fresh copy of {@code context} as it is now} */
    static Runnable snapshotOf(Context context, Runnable task) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(task, "task");
        return new ContextRunnable(context.map(), Bridge.capture(), task);
    }

    /** {@return a callable that calls {@code task} in a fresh copy of {@code context} as it is now} */
    static <V> Callable<V> snapshotOf(Context context, Callable<V> task) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(task, "task");
        return new ContextCallable<>(null, context.map(), Bridge.capture(), task);
    }

    /** {@return a runnable that runs {@code task} in a fresh copy of {@code context}, taken at each run} */
    static Runnable copyOf(Context context, Runnable task) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(task, "task");
        return new ContextRunnable.OfContext(context, Bridge.capture(), task, false);
    }

    /** {@return a callable that calls {@code task} in a fresh copy of {@code context}, taken at each call} */
    static <V> Callable<V> copyOf(Context context, Callable<V> task) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(task, "task");
        return new ContextCallable<>(context, null, Bridge.capture(), task);
    }

    /** {@return a runnable that runs {@code task} in {@code context} itself (not a copy)} */
    static Runnable inPlace(Context context, Runnable task) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(task, "task");
        return new ContextRunnable.OfContext(context, Bridge.capture(), task, true);
    }

    /**
     * Enters a fresh copy of {@code map} for one run of {@code task}, or borrows the current
     * context when that is exactly the copy the run would get; {@return what to pass to
     * {@link #exit}: the context, or a frame when a bridge or leak detection is in play}
     *
     * <p>The borrow (issue 15). When the current context holds {@code map} itself (a task run
     * on the thread that captured it: a direct executor, a stage completed synchronously, a
     * fork-join task joined in place), a fresh copy would differ from the current context only
     * in identity. So the run goes on in the current context, with its {@code borrowed} flag
     * set, and the copy is made only if the task needs it: at its first {@code set}
     * ({@link Context#copyForBorrow}). While borrowed, the context refuses what the copy would
     * refuse: its tokens (S5, {@code ContextVar.reset}) and its scopes ({@code Scope.close}), and
     * it is entered already, so S7 refuses to enter it again as before. This saves the context
     * allocation (40 B) and the two {@code ThreadLocal} writes of every such run; measured in
     * {@code ThreadShapeBenchmark.directRun} and {@code wrapRun} (docs/design.md). Not done with
     * a bridge or leak detection in play: those keep the general path, whose frames they need.
     */
    static Object enterCopy(Object[] map, Bridge bridge, Object task) {
        if (bridge == null && !LeakDetection.active) {
            return borrowOrEnter(Storage.currentOrNull(), map);
        }
        return enterSlow(new Context(map), bridge, true, task);
    }

    /**
     * The fast path of {@link #enterCopy} (no bridge, no leak detection): borrows {@code current}
     * when it holds {@code map} and is not borrowed already, else enters a fresh context over
     * {@code map}. {@return what to pass to {@link #exit}}
     */
    private static Object borrowOrEnter(Context current, Object[] map) {
        if (current != null && current.root == map && !current.borrowed) {
            // A flag, not a count: a run inside a run that already borrows this context
            // (rare: a nested direct hand-off before any set) takes a fresh copy instead, so
            // ending a borrow is a constant store with nothing to count back.
            current.borrowed = true;
            return current;
        }
        Context c = new Context(map);
        c.enterPrivate();
        return c;
    }

    /**
     * Enters a fresh copy of the calling thread's current context for one run of {@code task}:
     * {@code enterCopy(Storage.currentMap(), Bridge.capture(), task)}, with one lookup of the
     * current context instead of two. {@return what to pass to {@link #exit}}
     *
     * <p>For the Java agent (contextvars4j-agent), which wraps every {@code CompletableFuture}
     * stage registration in it, so that a stage the registering thread runs in place (its source
     * was complete) runs in a copy (P4). The common case is a borrow, as in {@link #enterCopy}.
     */
    static Object enterCopyOfCurrent(Object task) {
        Bridge bridge = Bridge.capture();
        if (bridge == null && !LeakDetection.active) {
            Context current = Storage.currentOrNull();
            return borrowOrEnter(current, current == null ? VarMap.EMPTY : current.root);
        }
        return enterSlow(new Context(Storage.currentMap()), bridge, true, task);
    }

    /**
     * Makes {@code context} current on this thread, after installing the bridged thread-locals;
     * {@return what to pass to {@link #exit}: the context itself in the common case, else a frame}
     *
     * @param fresh whether {@code context} was created by this hand-off for this run only: no
     *        other thread can reach it, so entering needs no S7 compare-and-set, and tokens left
     *        unreset in it are worth reporting (leak detection)
     */
    static Object enter(Context context, Bridge bridge, boolean fresh, Object task) {
        if (bridge == null && !LeakDetection.active) {
            enterContext(context, fresh);
            return context;
        }
        return enterSlow(context, bridge, fresh, task);
    }

    private static void enterContext(Context context, boolean fresh) {
        if (fresh) {
            context.enterPrivate();
        } else {
            context.enterOnCurrentThread();
        }
    }

    private static Frame enterSlow(Context context, Bridge bridge, boolean fresh, Object task) {
        Frame f = new Frame();
        f.context = context;
        f.taskName = task;
        if (bridge != null) {
            f.saved = bridge.install();
            f.bridge = bridge;
        }
        try {
            if (LeakDetection.active) {
                f.tracker = LeakDetection.begin(context, fresh, task);
            }
            enterContext(context, fresh);
        } catch (RuntimeException | Error e) {
            undo(f);
            throw e;
        }
        return f;
    }

    /** Leaves what {@link #enter} or {@link #enterCopy} entered and undoes the rest; see the header for the order. */
    static void exit(Object entry, Throwable failure) {
        if (entry instanceof Context context) {
            if (context.borrowed) {
                context.endBorrow(failure);
            } else {
                context.exit(failure);
            }
            return;
        }
        Frame frame = (Frame) entry;
        try {
            frame.context.exit(failure);
        } finally {
            try {
                undo(frame);
            } catch (RuntimeException e) {
                keepOutcome(e, failure, frame);
            }
        }
    }

    private static void undo(Frame f) {
        try {
            if (f.tracker != null) {
                LeakDetection.end(f.tracker);
            }
        } finally {
            if (f.bridge != null) {
                f.bridge.uninstall(f.saved);
            }
        }
    }

    /**
     * A thread-local accessor failed while the worker's own values were put back, after the task
     * ran (every accessor was still tried, see Bridge). The task's outcome wins: a failed task
     * keeps its exception, with this one suppressed; a task that succeeded keeps its result, and
     * the accessor's failure is logged at ERROR, logger org.contextvars4j.ThreadLocalAccessors.
     */
    private static void keepOutcome(RuntimeException accessorFailure, Throwable taskFailure, Frame frame) {
        if (taskFailure != null) {
            taskFailure.addSuppressed(accessorFailure);
            return;
        }
        System.getLogger(ThreadLocalAccessors.class.getName()).log(System.Logger.Level.ERROR,
                "cannot put back the worker's thread-locals after task " + describe(frame.taskName) + " on thread "
                + Thread.currentThread().getName() + "; the task's own outcome is kept", accessorFailure);
    }

    /**
     * Returns a readable name for a task in a report: its own {@code toString()} when it has one,
     * else its class name; a lambda or method reference becomes "lambda in" its declaring class,
     * rather than an identity string of a generated class.
     */
    static String describe(Object task) {
        Class<?> type = task.getClass();
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda >= 0) {
            return "lambda in " + name.substring(0, lambda);
        }
        try {
            if (type.getMethod("toString").getDeclaringClass() == Object.class) {
                return name;
            }
        } catch (NoSuchMethodException e) {
            return name;
        }
        return String.valueOf(task);
    }
}
