package org.contextvars4j;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.contextvars4j.internal.Bridges;
import org.contextvars4j.internal.VarMap;

/**
 * A mapping from {@link ContextVar}s to values, and the unit that is current on a thread: the
 * Java form of Python's {@code contextvars.Context}.
 *
 * <h2>The current context</h2>
 * Every thread has a current context (S1). A thread that never entered one sees an empty context
 * of its own; new threads start there too, whatever their parent had (P1). {@link #run},
 * {@link #call} and {@link #enter} make a context current for their extent and restore the
 * previous one afterwards, however the body ends (S6). {@link ContextVar#set} inside changes this
 * context object, so the change is visible through it after {@code run} returns.
 *
 * <h2>Copies</h2>
 * {@link #copyCurrent()} (Python's {@code copy_context()}) and {@link #copy()} take an O(1)
 * snapshot that shares structure with the original (S4). Later sets on either side do not show
 * through on the other (S3). Copying is how work is handed to another thread:
 * <pre>{@code
 * Context snapshot = Context.copyCurrent();
 * new Thread(() -> snapshot.run(() -> work())).start();   // work() sees the parent's values
 * }</pre>
 *
 * <h2>Entering</h2>
 * A context is current on at most one thread at a time, and cannot be entered again while it is
 * entered (S7); {@link #enter()} returns a {@link Scope} that must be closed on the same thread,
 * innermost first (S8).
 *
 * <h2>Reading from other threads</h2>
 * The query methods ({@link #get}, {@link #size}, {@link #keySet}, ...) may be called from any
 * thread. They see a consistent snapshot: the contents as of some recent {@code set} of the
 * thread that has the context entered. Contexts use identity {@code equals}: two contexts with
 * equal contents are still two contexts.
 *
 * <p>Rule numbers in parentheses, such as (S7), refer to the
 * <a href="package-summary.html#rules">rules in the package overview</a>.
 *
 * <p>Unless otherwise specified, passing a null argument to a method of this class throws
 * {@link NullPointerException} naming the parameter (S9).
 *
 * @implNote A context is one object holding an immutable persistent map (an array-mapped trie
 * keyed by dense per-var ids). Copying allocates one small object. Entering costs one
 * compare-and-set (the S7 check) and two {@code ThreadLocal} writes.
 */
public final class Context {

    private static final Object ABSENT = new Object();
    private static final VarHandle OWNER;
    private static final VarHandle ROOT;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Context.class, "owner", Thread.class);
            ROOT = MethodHandles.lookup().findVarHandle(Context.class, "root", Object[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The variables: the root array of an immutable {@link VarMap}. Written only by the thread
     * that has this context current (see Storage), always through {@link #setMap}, with a
     * release store; that thread reads it plainly on its read path, other threads read it
     * through {@link #map()} (an acquire load), so they see a fully built array.
     *
     * <p>One reference per context, not a map object plus mirrors of its root and shift: a set
     * on a long-lived context (a thread's base context, in the old generation) stores one
     * reference, so it takes G1's post-write barrier slow path once instead of twice (issue 15,
     * docs/design.md).
     */
    Object[] root;

    /**
     * The root shift of {@link #root}, beside it for the owner thread's read path (one load from
     * this object instead of a dependent load of the root's tag). An int store costs no GC
     * barrier. Other threads must not read it (it may belong to a newer root than the one they
     * see); they take the shift from the root's tag.
     */
    int shift;

    /** The thread this context is entered on, or null (S7). Accessed through OWNER. */
    @SuppressWarnings("unused")
    private volatile Thread owner;

    /**
     * The thread whose base context this is (created by its first set, current there without
     * being entered), or null; only for messages, so that a token refused elsewhere names it.
     */
    Thread baseOf;

    /** While entered: the context that was current before (null when the thread had none). */
    private Context previous;

    /** While entered by {@link #enter()}: the scope of that entry, so a stale scope cannot exit a later one (S8). */
    Scope scope;

    /**
     * Whether a hand-off run is borrowing this context right now, in place of a fresh copy of
     * it (see Propagation.enterCopy). Only the thread that has this context current touches it.
     * While it is set, this context's tokens and scopes are refused, and a set makes the copy
     * ({@link #copyForBorrow}).
     */
    boolean borrowed;

    /** Whether this context is the copy a borrowing run made at its first set ({@link #copyForBorrow}). */
    private boolean borrowCopy;

    /**
     * Whether a context is entered on top of this one: set by every enter on top of it
     * ({@link #cover}), cleared when this context is current again ({@link #restore}) and when it
     * is left ({@link #release}), so that, for a context entered on the calling thread, it is
     * exactly "this is not the current context", known without a {@code ThreadLocal} lookup.
     * Its readers:
     * <ul>
     *   <li>every exit ({@link #exit}, {@link #endBorrow}, {@link Scope#close()}): the S8 check that nothing entered on top is still entered,
     *       one lookup of the current context fewer per exit (issue 23: a coroutine's round
     *       trip; also every {@code run}, scope and hand-off);
     *   <li>with {@link Binding#ON} (JDK 25), a read inside a structured entry uses the bound
     *       context only while this is false (see {@link #readableOn}).
     * </ul>
     * Only the thread that has this context entered (or current, for a context made current by
     * {@link #switchTo}) touches it; {@link #release} clears it before the release store of the
     * owner, so the next owner finds it false.
     */
    boolean covered;

    /** Creates a new, empty context (Python's {@code Context()}). */
    public Context() {
        this(VarMap.EMPTY);
    }

    /** A not-entered context over {@code map}; used by the propagation wrappers. */
    Context(Object[] map) {
        setMap(map);
    }

    /**
     * The answers the bridges derived from {@link #root} (see BridgeAnswers), one per bridge, or
     * null: written and read only by the thread that has this context current, and cleared with
     * every change of {@link #root}, so that an answer is always one derived from this context's
     * present variables and keeps nothing alive that the context itself does not (S11).
     */
    Object answer0;

    /** The second bridge's answer, as {@link #answer0}. */
    Object answer1;

    /** Replaces the variables; called only by the thread that has this context current. */
    void setMap(Object[] m) {
        shift = VarMap.shift(m);
        ROOT.setRelease(this, m);
        if (answer0 != null || answer1 != null) {
            answer0 = null;
            answer1 = null;
        }
    }

    /** {@return the variables, as seen from any thread: a load of {@link #root} with acquire ordering} */
    Object[] map() {
        // A plain load then an acquire fence, equivalent to ROOT.getAcquire(this); but on
        // JDK 17 a VarHandle access to a context kept C2 from removing that context by escape
        // analysis, so Context.copyCurrent().wrap(task) allocated the context (64 B, against
        // 24 B with the fence, JDK 17, ThreadShapeBenchmark.wrapRun).
        Object[] r = root;
        VarHandle.acquireFence();
        return r;
    }

    /**
     * Returns a copy of the current context (Python's {@code copy_context()}).
     *
     * @return a new context with the current context's variables and values
     * @implNote O(1) whatever the number of variables; allocates one small object
     */
    public static Context copyCurrent() {
        return new Context(Storage.currentMap());
    }

    /**
     * Returns a copy of this context: a new, not-entered context with the same variables and
     * values. Later changes to either do not affect the other.
     *
     * @return the copy
     * @implNote O(1); allocates one small object
     */
    public Context copy() {
        return new Context(map());
    }

    /**
     * Returns the value of {@code var} in this context, or null when it is absent. Use
     * {@link #containsKey} to tell an absent var from a null value.
     *
     * @param var the variable
     * @param <T> the value type
     * @return the value, or null
     */
    public <T> T get(ContextVar<T> var) {
        return getOrDefault(var, null);
    }

    /**
     * Returns the value of {@code var} in this context, or {@code fallback} when it is absent (the
     * variable's own default is not consulted).
     *
     * @param var the variable
     * @param fallback the value for an absent variable, may be null
     * @param <T> the value type
     * @return the value (possibly null), or {@code fallback}
     */
    @SuppressWarnings("unchecked")
    public <T> T getOrDefault(ContextVar<T> var, T fallback) {
        Objects.requireNonNull(var, "var");
        Object v = VarMap.get(map(), var.id, ABSENT);
        return v == ABSENT ? fallback : (T) v;
    }

    /**
     * {@return whether {@code var} has a value (possibly null) in this context}
     *
     * @param var the variable
     */
    public boolean containsKey(ContextVar<?> var) {
        Objects.requireNonNull(var, "var");
        return VarMap.containsId(map(), var.id);
    }

    /** {@return the number of variables with a value in this context} */
    public int size() {
        return VarMap.size(map());
    }

    /** {@return whether no variable has a value in this context} */
    public boolean isEmpty() {
        return VarMap.size(map()) == 0;
    }

    /**
     * Returns the variables that have a value in this context, as an unmodifiable snapshot in
     * creation order of the variables.
     *
     * @return the variables
     */
    public Set<ContextVar<?>> keySet() {
        Set<ContextVar<?>> keys = new LinkedHashSet<>();
        VarMap.forEach(map(), (k, v) -> keys.add((ContextVar<?>) k));
        return Collections.unmodifiableSet(keys);
    }

    /**
     * Returns the values in this context, as an unmodifiable snapshot in the order of
     * {@link #keySet()}; it may contain null.
     *
     * @return the values
     */
    public Collection<Object> values() {
        Object[] m = map();                 // one snapshot, also when read from another thread
        List<Object> values = new ArrayList<>(VarMap.size(m));
        VarMap.forEach(m, (k, v) -> values.add(v));
        return Collections.unmodifiableList(values);
    }

    /**
     * Runs {@code action} with this context current, then restores the previous current context
     * (Python's {@code Context.run}). Sets inside the action change this context.
     *
     * @param action what to run
     * @throws NullPointerException if {@code action} is null
     * @throws IllegalStateException if this context is already entered, on this or another thread
     *         (S7; the action does not run), or if the action left a context that it entered
     *         itself still entered (that context is exited by force first)
     */
    public void run(Runnable action) {
        Objects.requireNonNull(action, "action");
        enterOnCurrentThread();
        Throwable failure = null;
        try {
            if (Binding.ON) {
                Binding.run(this, action);
            } else {
                action.run();
            }
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            exit(failure);
        }
    }

    /**
     * Calls {@code action} with this context current, then restores the previous current
     * context, and returns what the action returned. Otherwise the same as {@link #run}.
     *
     * @param action what to call
     * @param <V> the result type
     * @return the action's result
     * @throws Exception what the action throws, unchanged
     * @throws NullPointerException if {@code action} is null
     * @throws IllegalStateException if this context is already entered (S7; the action does not
     *         run), or if the action left a context that it entered itself still entered
     */
    public <V> V call(Callable<V> action) throws Exception {
        Objects.requireNonNull(action, "action");
        enterOnCurrentThread();
        Throwable failure = null;
        try {
            return Binding.ON ? Binding.call(this, action) : action.call();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            exit(failure);
        }
    }

    /**
     * Gets a value from {@code action} with this context current, then restores the previous
     * current context: {@link #call} for code that throws no checked exception, so the caller
     * needs no catch-and-rethrow. Otherwise the same as {@link #run}.
     * <pre>{@code
     * String id = context.supply(() -> REQUEST_ID.get());
     * }</pre>
     *
     * @apiNote Named {@code supply}, not {@code call}: an overload {@code call(Supplier)} next to
     * {@code call(Callable)} would make every {@code call(() -> x)} ambiguous.
     * @param action what to get the value from
     * @param <V> the result type
     * @return the action's result
     * @throws NullPointerException if {@code action} is null
     * @throws IllegalStateException if this context is already entered (S7; the action does not
     *         run), or if the action left a context that it entered itself still entered
     */
    public <V> V supply(Supplier<V> action) {
        Objects.requireNonNull(action, "action");
        enterOnCurrentThread();
        Throwable failure = null;
        try {
            return Binding.ON ? Binding.supply(this, action) : action.get();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            exit(failure);
        }
    }

    /**
     * Returns a new, not-entered context holding this context's values and {@code var} set to
     * {@code value}; this context is not changed (OpenTelemetry's {@code Context.with}). Chain it
     * to build a context without entering anything, for a test or to start a request:
     * <pre>{@code
     * Context request = new Context().with(REQUEST_ID, "r-1").with(USER, "alice");
     * request.run(() -> handle());      // handle() sees both values
     * }</pre>
     *
     * @param var the variable
     * @param value its value in the new context; may be null
     * @param <T> the value type
     * @return the new context
     * @throws NullPointerException if {@code var} is null
     * @implNote O(log32 of the var id), like {@link ContextVar#set}; the new context shares the
     * rest of its map with this one
     */
    public <T> Context with(ContextVar<T> var, T value) {
        Objects.requireNonNull(var, "var");
        return new Context(VarMap.with(map(), var.id, var, value));
    }

    /**
     * Makes this context current until the returned scope is closed: the try-with-resources form
     * of {@link #run}.
     * <pre>{@code
     * try (Scope scope = context.enter()) {
     *     REQUEST_ID.set("r-1");        // changes context
     * }                                 // the previous context is current again
     * }</pre>
     *
     * @return the scope; close it on this thread, innermost scope first
     * @throws IllegalStateException if this context is already entered (S7)
     */
    public Scope enter() {
        Thread thread = enterOnCurrentThread();
        Scope entry = new Scope(this, thread);
        scope = entry;
        if (LeakDetection.active) {
            LeakDetection.onCreate(entry);
        }
        return entry;
    }

    /**
     * Returns a runnable that runs {@code task} in a fresh copy of this context as it is now: the
     * way to hand a task to code that does not know about contexts.
     * <pre>{@code
     * executor.execute(Context.copyCurrent().wrap(() -> work()));   // work() sees the caller's values
     * }</pre>
     * The contents are captured at this call (later sets in this context are not seen), and each
     * run gets its own copy of them: a periodic task starts every run from the same values, runs
     * on several threads at once never violate S7, and a {@code set} inside a run is visible
     * neither through this context nor to later runs. Afterwards the running thread's context is
     * what it was before, however the task ends. Foreign thread-locals registered with
     * {@link ThreadLocalAccessors} are captured now, on the calling thread, and installed around
     * each run (P6).
     *
     * @param task what to run
     * @return the wrapping runnable; exceptions of {@code task} pass through unchanged
     * @throws NullPointerException if {@code task} is null
     * @implNote O(1): the wrapper keeps a reference to this context's immutable map; each run
     * allocates one small context (none when it runs on a thread whose current context holds
     * that same map, until the task sets a var)
     */
    public Runnable wrap(Runnable task) {
        return Propagation.snapshotOf(this, task);
    }

    /**
     * Returns a callable that calls {@code task} in a fresh copy of this context as it is now;
     * otherwise the same as {@link #wrap(Runnable)}.
     *
     * @param task what to call
     * @param <V> the result type
     * @return the wrapping callable; results and exceptions of {@code task} pass through unchanged
     * @throws NullPointerException if {@code task} is null
     * @implNote O(1): the wrapper keeps a reference to this context's immutable map; each call
     * allocates one small context (none when it runs on a thread whose current context holds
     * that same map, until the task sets a var)
     */
    public <V> Callable<V> wrap(Callable<V> task) {
        return Propagation.snapshotOf(this, task);
    }

    /**
     * Returns a supplier that gets its value from {@code task} in a fresh copy of this context as
     * it is now; otherwise the same as {@link #wrap(Runnable)}.
     *
     * @apiNote Not an overload of {@code wrap}: {@code wrap(Supplier)} next to
     * {@code wrap(Callable)} would make {@code wrap(() -> x)} ambiguous.
     * @param task what to get the value from
     * @param <V> the result type
     * @return the wrapping supplier; results and exceptions of {@code task} pass through unchanged
     * @throws NullPointerException if {@code task} is null
     */
    public <V> Supplier<V> wrapSupplier(Supplier<V> task) {
        Objects.requireNonNull(task, "task");
        Callable<V> wrapped = Propagation.snapshotOf(this, task::get);
        return new Supplier<>() {
            @Override
            public V get() {
                try {
                    return wrapped.call();
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    // a Supplier throws no checked exception; only a sneaky throw gets here
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public String toString() {
                return "ContextSupplier[" + task + "]";
            }
        };
    }

    /**
     * Makes current a context that no other thread can reach: one a hand-off created for a single
     * run (see Propagation). The S7 compare-and-set cannot fail there, so a plain store of the
     * owner does; the release store in {@link #release()} still publishes the run's writes.
     */
    void enterPrivate() {
        OWNER.set(this, Thread.currentThread());
        cover(Storage.currentOrNull());
        Storage.setCurrent(this);
    }

    /** Records the context current before this one is entered, and tells it if it is borrowed. */
    private void cover(Context current) {
        previous = current;
        if (current != null) {
            current.covered = true;
        }
    }

    /** Makes {@code context} (possibly null) current again on this thread, after what covered it was exited. */
    private static void restore(Context context) {
        Storage.setCurrent(context);
        if (context != null) {
            context.covered = false;
        }
    }

    /**
     * {@return whether this context, found in a {@code ScopedValue} binding on {@code thread}, is
     * the current context of {@code thread}} (see Binding): entered there, so bound by that
     * thread and not inherited from another, and nothing entered on top of it. A plain load of
     * the owner: only {@code thread} itself can have written that value.
     */
    boolean readableOn(Thread thread) {
        return OWNER.get(this) == thread && !covered;
    }

    /** Claims this context for the current thread and makes it current (S7). */
    Thread enterOnCurrentThread() {
        Thread thread = Thread.currentThread();
        if (!OWNER.compareAndSet(this, (Thread) null, thread)) {
            throw alreadyEntered(thread);
        }
        cover(Storage.currentOrNull());
        Storage.setCurrent(this);
        return thread;
    }

    /**
     * {@return the S7 refusal of an enter by {@code thread}}; out of line, so that the enter
     * methods stay small enough to be inlined into their callers' hot paths
     */
    private IllegalStateException alreadyEntered(Thread thread) {
        return new IllegalStateException("cannot enter context: " + this + " is already entered"
                + (OWNER.getVolatile(this) == thread ? " on this thread" : ""));
    }

    /**
     * Leaves this context on its owner thread and restores the context that was current before.
     * A context that the body entered and did not exit is exited by force and reported: as the
     * exception, or suppressed into {@code failure} when the body already failed.
     */
    void exit(Throwable failure) {
        IllegalStateException leak = exitAbove();
        restore(previous);
        release();
        report(leak, failure);
    }

    /**
     * For a borrowing run that sets a var (see Propagation.enterCopy): makes and enters the copy
     * the run would have had from the start, over this context's map, which the run has not
     * changed (it cannot set here, nor reset a token of this context). {@return the copy}
     */
    Context copyForBorrow() {
        Context copy = new Context(root);
        copy.borrowCopy = true;
        copy.enterPrivate();
        return copy;
    }

    /**
     * Ends a borrowing run (see Propagation.enterCopy) and leaves this context current, as
     * {@link #exit} of the copy would have: the copy, if the run made one, is exited; a context
     * the run entered and did not exit is exited by force and reported.
     */
    void endBorrow(Throwable failure) {
        borrowed = false;
        if (!covered) {
            return;                              // nothing was entered on top: still current
        }
        Context current = Storage.currentOrNull();   // looked up while covered: not from the binding
        if (current == this) {
            return;
        }
        Context above = current;                 // the context entered directly on this one
        while (above != null && above.previous != this) {
            above = above.previous;
        }
        if (above != null && above.borrowCopy) {
            above.exit(failure);
            return;
        }
        IllegalStateException leak = exitAbove();
        restore(this);
        report(leak, failure);
    }

    /**
     * Exits by force every context entered on top of this one and still entered; {@return the
     * report of that, or null when this context is current}
     */
    private IllegalStateException exitAbove() {
        if (!covered) {
            return null;                         // nothing entered on top: current (see covered)
        }
        Context current = Storage.currentOrNull();   // looked up while covered: not from the binding
        if (current == this) {
            return null;
        }
        IllegalStateException leak = new IllegalStateException("cannot exit context: " + current
                + " was entered inside " + this + " and is still entered; it was exited by force");
        for (Context c = current; c != null && c != this; ) {
            Context outer = c.previous;
            c.release();
            c = outer;
        }
        return leak;
    }

    private static void report(IllegalStateException leak, Throwable failure) {
        if (leak != null) {
            if (failure == null) {
                throw leak;
            }
            failure.addSuppressed(leak);
        }
    }

    private void release() {
        previous = null;
        scope = null;
        covered = false;
        // A release store is enough: the next owner's compare-and-set (a volatile read) sees it
        // and everything this thread wrote before, so the hand-over is ordered (S7).
        OWNER.setRelease(this, (Thread) null);
    }

    /**
     * Makes this context current on the calling thread without entering it (see
     * {@link Bridges#switchTo}): the owner stays unset, and the context that was current is
     * covered and returned for {@link #switchBack}. Nothing is done, and this context returned,
     * when it is the current context already.
     */
    Context switchTo() {
        Context before = Storage.switchTo(this);
        if (before != this && before != null) {
            before.covered = true;
        }
        return before;
    }

    /**
     * Makes {@code before} current again after {@link #switchTo} returned it, when this context is
     * the current one; otherwise nothing changes, and a context entered on top of this one and
     * still entered (a scope left open) is refused (see {@link Bridges#switchBack}).
     */
    void switchBack(Context before) {
        Context current = Storage.switchBack(this, before);
        if (current != this) {
            checkNotBelow(current);
        } else if (before != null) {
            before.covered = false;
        }
    }

    /**
     * Refuses a switch back from this context while {@code current}, entered on this thread, was
     * entered on top of it (it is found among the contexts {@code current} covers); a switch back
     * repeated after this context was left, or after it was exited by force, finds it nowhere.
     * Out of line: only a stale or a refused switch back gets here.
     */
    private void checkNotBelow(Context current) {
        for (Context c = current; c != null; c = c.previous) {
            if (c.previous == this) {
                throw new IllegalStateException("cannot leave context: " + this + " has " + c
                        + " entered on top of it on thread " + Thread.currentThread().getName()
                        + ", still entered; exit it first");
            }
        }
    }

    /** The core's side of {@link Bridges.Switches}; instantiated once, reflectively, by {@link Bridges}. */
    static final class Switches extends Bridges.Switches {

        private Switches() {
        }

        @Override
        protected Context switchTo(Context context) {
            return context.switchTo();
        }

        @Override
        protected void switchBack(Context context, Context before) {
            context.switchBack(before);
        }
    }

    /**
     * {@return whether the current context has this context's variables and values, known without
     * comparing them}: true when this context is the current one, or a copy of the current one (or
     * of the state it had) taken while nothing was set or reset since, in either. False when they
     * may differ; two contexts that reached equal values by different sets may also give false.
     *
     * <p>Made for integrations that keep something derived from the current context (a snapshot
     * wrapped for another library) and must know, on every read, whether it is still valid.
     *
     * @implNote O(1) and allocation-free: one lookup of the current context and an identity
     *           comparison of the two immutable maps
     */
    public boolean matchesCurrent() {
        return map() == Storage.currentMap();
    }

    /** {@return the thread this context is entered on, or null} */
    Thread owner() {
        return (Thread) OWNER.getVolatile(this);
    }

    /** {@return whether this context is entered, on this or another thread} */
    public boolean isEntered() {
        return OWNER.getVolatile(this) != null;
    }

    /**
     * Returns a description: the size, the names of up to 8 variables and whether the context is
     * entered, e.g. {@code Context[size=2, vars=[request_id, user], entered]}.
     *
     * <p><b>Never the values</b>, by design: a context carries what a request carries (bearer
     * tokens, session ids, user data), and its description goes where nobody vets it: the
     * library's own refusal messages (a token used in the wrong context names its context), log
     * lines, debugger views, error reports. Showing values there would leak them. To see values,
     * ask for them by variable: {@link #get(ContextVar)}, or {@link #keySet()} with
     * {@link #get(ContextVar)} for a debug dump you choose to print.
     *
     * @return the description, with variable names only
     */
    @Override
    public String toString() {
        Object[] m = map();                 // one snapshot, also when read from another thread
        StringJoiner names = new StringJoiner(", ", "[", "]");
        int[] shown = {0};
        VarMap.forEach(m, (k, v) -> {
            if (shown[0]++ < 8) {
                names.add(((ContextVar<?>) k).name());
            } else if (shown[0] == 9) {
                names.add("...");
            }
        });
        return "Context[size=" + VarMap.size(m) + ", vars=" + names + ", " + (isEntered() ? "entered" : "not entered") + "]";
    }

    // ---- Token-free binding (issue 26): RequestScope's open and close -------------------------
    //
    // A scope's open binds it in the current context and its close undoes that binding: a set
    // and a reset, without the Token (an object, the leak detector's check, a second lookup of
    // the current context on reset). The scope keeps what the token would: the context it was
    // bound in and the maps before and after. S3 holds as for set (copies taken earlier keep
    // their map, a borrowing hand-off gets its copy first); S5's refusals become "do nothing",
    // which is what close() did with them.

    /** {@return the context a set goes to: the current one, or a borrowing hand-off's own copy of it (as ContextVar.set)} */
    static Context forSet() {
        Context c = Storage.current();
        return c.borrowed ? c.copyForBorrow() : c;
    }

    /**
     * Sets {@code var} to {@code value} in this context, which is {@link #forSet()}'s answer on
     * this thread, without a token. {@return the map before the set} (the map after it is
     * {@link #root})
     */
    Object[] bind(ContextVar<?> var, Object value) {
        Object[] before = root;
        setMap(VarMap.with(before, var.id, var, value));
        return before;
    }

    /**
     * Undoes a {@link #bind} of {@code var} to {@code value} that returned {@code before} and left
     * {@code after}, as a token's reset would: only on the thread where this context is current,
     * not borrowed, and while {@code var} still holds {@code value}. O(1) when the map is still
     * {@code after}; otherwise only the var goes back to its value in {@code before}, and what
     * was set since stays. {@return whether it did}; when false, nothing changed
     */
    boolean unbind(ContextVar<?> var, Object value, Object[] after, Object[] before) {
        if (Storage.currentOrNull() != this || borrowed) {
            return false;
        }
        Object[] m = root;
        if (m != after) {
            if (VarMap.get(m, var.id, ABSENT) != value) {
                return false;
            }
            Object old = VarMap.get(before, var.id, ABSENT);
            before = old == ABSENT ? VarMap.without(m, var.id) : VarMap.with(m, var.id, var, old);
        }
        setMap(before);
        return true;
    }

    // ---- Fresh entries (issue 26): Bridges.enterCopy, for contextvars4j-micrometer ------------

    /** The core's side of {@link Bridges.Entries}; instantiated once, reflectively, by {@link Bridges}. */
    static final class Entries extends Bridges.Entries {

        private Entries() {
        }

        @Override
        protected Scope enterCopy(Context source) {
            Context copy = new Context(source.map());
            copy.enterPrivate();                 // a context made here: no other thread can reach it (S7)
            Scope entry = new Scope(copy, copy.owner());
            copy.scope = entry;
            if (LeakDetection.active) {
                LeakDetection.onCreate(entry);
            }
            return entry;
        }
    }
}
