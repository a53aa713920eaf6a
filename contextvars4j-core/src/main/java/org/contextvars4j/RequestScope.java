package org.contextvars4j;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One unit of work, typically one request, that owns {@linkplain ScopedMemoizer memoized
 * results} and {@linkplain ScopedResource resources} for as long as it is open: the articles'
 * {@code per_context_memoize} cache and {@code db_session} variable, with their teardown.
 *
 * <h2>What a scope covers</h2>
 * A scope is bound in a context through a hidden {@link ContextVar}. It covers that context and
 * every hand-off copied from it afterwards ({@link Context#copyCurrent()},
 * {@link ContextExecutors}, {@link ContextCompletableFuture} stages, ...): all of them see the
 * same scope object, so a memoizer first used inside an executor task fills the scope's cache, not
 * a cache of that task's copy. The scope's state belongs to the scope object, created when the
 * scope opens, and is thread-safe, since copies on several threads share it. Two scopes never share anything.
 * <pre>{@code
 * List<String> names = RequestScope.call(() -> {
 *     List<String> first = userNames();       // opens the request's connection
 *     List<String> second = userNames();      // the same connection
 *     return first.equals(second) ? first : List.of();
 * });                                          // closed here, even if the body throws
 * }</pre>
 * (with {@code userNames()} as in {@link ScopedResource}).
 *
 * <h2>Where it ends</h2>
 * {@link #run(Runnable)} and {@link #call(Callable)} open a scope in a fresh copy of the current
 * context and end it when the body returns or throws. {@link #open()} binds a scope in the
 * current context itself, for code whose request ends elsewhere (an asynchronous servlet ends it
 * from a completion callback on another thread); {@link #close()} ends it, from any thread.
 * Ending a scope closes its resources and runs the cleanups registered with
 * {@link #onEnd(AutoCloseable)}, together, last registered first, and drops its memoized results. A task
 * that escaped the scope (still running after the end) still sees the ended scope: its memoizers
 * and resources refuse with {@link IllegalStateException}; nothing is reopened, and nothing of
 * another scope is ever handed out.
 *
 * <h2>Close failures</h2>
 * Every resource is closed, and every cleanup run, even when an earlier one fails. With {@code run} and
 * {@code call}, when the body threw, each close failure is added to the body's exception as
 * {@linkplain Throwable#addSuppressed suppressed}; when the body completed, the first failure is
 * thrown after all resources are closed, with the others suppressed into it (a checked failure
 * wrapped in {@link ScopedResourceException}). {@link #close()} throws the same way.
 *
 * <h2>Nesting</h2>
 * A scope opened inside another one hides it until it ends: memoizers and resources used inside
 * belong to the inner scope only. The outer scope is not affected by the inner one's end.
 *
 * <p>Unless otherwise specified, passing a null argument to a method of this class throws
 * {@link NullPointerException} naming the parameter.
 *
 * @implNote Opening is the scope object and one write of the current context's map (a
 * {@link ContextVar#set} without its token); closing is the matching O(1) undo and one atomic
 * exchange. A scope allocates its state (a 32-slot array, then a
 * map for programs with more than 32 memoizers and resources) only on first use.
 * {@code docs/benchmarks.md} gives measured figures.
 */
public final class RequestScope implements AutoCloseable {

    /** The scope bound in a context; hidden so that only open/close bind and unbind it. */
    private static final ContextVar<RequestScope> CURRENT = ContextVar.of("contextvars4j.request_scope", null);

    /** The value of {@link #resources} once the scope has ended. */
    private static final Object ENDED = new Object();
    private static final Ending[] NONE = new Ending[0];
    private static final VarHandle RESOURCES;
    private static final VarHandle STATES;
    private static final VarHandle DIRECT_STATES;
    private static final VarHandle DIRECT_STATE = MethodHandles.arrayElementVarHandle(Object[].class);

    /** Owners (memoizers, resources) with an id below this keep their state in {@link #directStates}. */
    static final int DIRECT = 32;
    private static final AtomicInteger OWNER_IDS = new AtomicInteger();

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RESOURCES = lookup.findVarHandle(RequestScope.class, "resources", Object.class);
            STATES = lookup.findVarHandle(RequestScope.class, "states", ConcurrentHashMap.class);
            DIRECT_STATES = lookup.findVarHandle(RequestScope.class, "directStates", Object[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * The binding made by open(), undone by the close on the opening thread (what a Token of the
     * binding's set would keep, without the token): the context it was made in, or null once
     * undone, and that context's maps before and after it. Written by open() before the scope
     * is published (the context's map is published with a release store); only the thread where
     * boundIn is current can undo the binding, so only that thread writes them afterwards.
     */
    private final Thread openingThread;
    private Context boundIn;
    private Object[] mapBefore;
    private Object[] mapAfter;

    /**
     * The resources opened in this scope, in opening order, as an array replaced on each
     * registration (scopes hold a handful); null while none is open (the default value, so that
     * opening a scope writes no volatile field); {@link #ENDED} once the scope has ended. One
     * field, so that ending and registering race through one atomic operation and no lock.
     */
    @SuppressWarnings("unused")
    private volatile Object resources;

    /**
     * Per-scope state of the first {@link #DIRECT} memoizers and resources a program creates,
     * indexed by owner id (the hit path: one array read); created on first use. Elements are
     * written once, by compare-and-set.
     */
    @SuppressWarnings("unused")
    private volatile Object[] directStates;

    /** Per-scope state of the other owners, keyed by owner; created on first use. */
    @SuppressWarnings("unused")
    private volatile ConcurrentHashMap<Object, Object> states;

    private RequestScope() {
        this.openingThread = Thread.currentThread();
    }

    /**
     * Opens a new scope and binds it in the current context. Code running in this context, and
     * hand-offs copied from it from now on, share the scope until {@link #close()}.
     * <pre>{@code
     * RequestScope scope = RequestScope.open();
     * CompletableFuture<List<String>> result = ContextCompletableFuture.supplyAsync(() -> {
     *     try {
     *         return userNames();              // runs in the request's scope, on a pool thread
     *     } catch (SQLException e) {
     *         throw new IllegalStateException(e);
     *     }
     * }, pool);
     * result.whenComplete((names, failure) -> scope.close());   // ends it on the completing thread
     * }</pre>
     *
     * @return the open scope; close it exactly where the unit of work ends
     */
    public static RequestScope open() {
        RequestScope scope = new RequestScope();
        Context c = Context.forSet();
        scope.mapBefore = c.bind(CURRENT, scope);
        scope.mapAfter = c.root;
        scope.boundIn = c;
        return scope;
    }

    /**
     * Runs {@code body} in a fresh copy of the current context with a new scope, and ends the
     * scope when the body returns or throws. Close failures are suppressed into the body's
     * exception, or thrown after all resources are closed when the body completed. A body that
     * throws a checked exception goes to {@link #call(Body)}, which passes it unchanged.
     *
     * @param body what to run
     * @throws NullPointerException if {@code body} is null
     * @throws ScopedResourceException if the body completed and a resource failed to close with a
     *         checked exception (an unchecked one is thrown as is)
     */
    public static void run(Runnable body) {
        Objects.requireNonNull(body, "body");
        Context.copyCurrent().run(() -> {
            RequestScope scope = open();
            Throwable failure = null;
            try {
                body.run();
            } catch (Throwable t) {
                failure = t;
                throw t;
            } finally {
                scope.end(failure);
            }
        });
    }

    /**
     * Calls {@code body} in a fresh copy of the current context with a new scope, ends the scope
     * when the body returns or throws, and returns the body's result. Otherwise the same as
     * {@link #run(Runnable)}.
     *
     * @param body what to call
     * @param <V> the result type
     * @return what the body returned
     * @throws Exception what the body throws, unchanged (with close failures suppressed into it)
     * @throws NullPointerException if {@code body} is null
     * @throws ScopedResourceException if the body completed and a resource failed to close with a
     *         checked exception (an unchecked one is thrown as is)
     */
    public static <V> V call(Callable<V> body) throws Exception {
        Objects.requireNonNull(body, "body");
        return Context.copyCurrent().call(() -> {
            RequestScope scope = open();
            Throwable failure = null;
            try {
                return body.call();
            } catch (Throwable t) {
                failure = t;
                throw t;
            } finally {
                scope.end(failure);
            }
        });
    }

    /**
     * The checked form of {@link #run(Runnable)}: runs {@code body}, which may throw a checked
     * exception, in a fresh copy of the current context with a new scope, and ends the scope when
     * the body returns or throws. The body's exception passes unchanged (with close failures
     * suppressed into it), as with {@link Context#call}, so no wrapping by hand:
     * <pre>{@code
     * RequestScope.call(() -> Files.delete(upload));   // throws IOException, nothing else checked
     * }</pre>
     * A body that returns a value goes to {@link #call(Callable)}.
     *
     * @param body what to run
     * @param <E> the checked exception the body throws
     * @throws E what the body throws, unchanged
     * @throws NullPointerException if {@code body} is null
     * @throws ScopedResourceException if the body completed and a resource or cleanup failed with a
     *         checked exception (an unchecked one is thrown as is)
     */
    @SuppressWarnings("unchecked")
    public static <E extends Exception> void call(Body<E> body) throws E {
        Objects.requireNonNull(body, "body");
        try {
            call(() -> {
                body.run();
                return null;
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw (E) e;                    // the body's only checked exception
        }
    }

    /**
     * Returns the scope bound in the current context, also when it has ended: a task that
     * escaped its scope sees that scope, ended, never another one.
     *
     * @return the bound scope (check {@link #isOpen()}), or empty when no scope is bound
     */
    public static Optional<RequestScope> current() {
        return Optional.ofNullable(CURRENT.orElse(null));
    }

    /** {@return the bound scope or null; the read path of the memoizers and resources} */
    static RequestScope bound() {
        return CURRENT.orElse(null);
    }

    /** {@return whether this scope is open: not yet ended by {@link #close()}, {@code run} or {@code call}} */
    public boolean isOpen() {
        return resources != ENDED;
    }

    /**
     * Ends this scope: closes its resources and runs its {@linkplain #onEnd cleanups}, last
     * registered first, and drops its memoized results.
     * May be called from any thread. A second call does nothing: when a request can end in two
     * places (a completion callback and a timeout), both may close it.
     *
     * <p>Called on the thread that opened the scope while the context it was opened in is current
     * and the scope is still the one bound there, it also undoes the binding, so the enclosing
     * scope (or none) is current again. Elsewhere the binding stays: code in that context sees
     * this scope, ended, and its memoizers and resources refuse with
     * {@link IllegalStateException}.
     *
     * <p>A {@link ScopedResource#use use} in progress on another thread is waited for before its
     * resource is closed; an object obtained with {@link ScopedResource#get()} is closed under
     * whoever still holds it.
     *
     * @throws ScopedResourceException if a resource failed to close with a checked exception (an
     *         unchecked one is thrown as is); every resource was closed before, and further
     *         failures are suppressed into the thrown one
     */
    @Override
    public void close() {
        end(null);
    }

    /**
     * Ends the scope once; a second call returns. Close failures are suppressed into
     * {@code bodyFailure} when there is one, else thrown.
     */
    private void end(Throwable bodyFailure) {
        unbindIfHere();
        Object registered = RESOURCES.getAndSet(this, ENDED);
        if (registered == ENDED) {
            return;
        }
        if (directStates != null) {
            directStates = null;             // a volatile store costs a fence: only when there is something to drop
        }
        ConcurrentHashMap<Object, Object> dropped = states;
        if (dropped != null) {
            dropped.clear();
        }
        Ending[] toClose = registered == null ? NONE : (Ending[]) registered;
        Throwable first = null;
        boolean firstIsCleanup = false;
        for (int i = toClose.length - 1; i >= 0; i--) {
            Throwable failure = toClose[i].closeAtScopeEnd();
            if (failure == null) {
                continue;
            }
            if (bodyFailure != null) {
                bodyFailure.addSuppressed(failure);
            } else if (first == null) {
                first = failure;
                firstIsCleanup = toClose[i] instanceof Cleanup;
            } else {
                first.addSuppressed(failure);
            }
        }
        if (first != null) {
            throw ScopedResourceException.unchecked(first, (firstIsCleanup ? "a cleanup failed at the end of "
                    : "cannot close a resource of ") + this);
        }
    }

    /**
     * Undoes the binding when this thread and context are where {@link #open()} made it, and the
     * scope is still bound there. Anywhere else (another thread, also one that has entered the
     * opening context since, a copy of the opening context, a borrowing hand-off) nothing
     * changes: the binding goes away with that context.
     */
    private void unbindIfHere() {
        Context c = boundIn;
        if (c != null && Thread.currentThread() == openingThread && c.unbind(CURRENT, this, mapAfter, mapBefore)) {
            boundIn = null;
        }
    }

    /**
     * Registers {@code cleanup} to run when the scope bound in the current context ends: the
     * articles' teardown at the end of a request, without inventing a resource for it. Cleanups
     * and {@linkplain ScopedResource resources} end together in one last-registered, first-run
     * order (a cleanup registered after a resource was opened runs before that resource is
     * closed), with the same failure rules: every one runs even when an earlier one throws, and
     * the failures are suppressed into the body's exception or thrown as {@link #close()} says.
     * <pre>{@code
     * RequestScope.run(() -> {
     *     Path upload = Files.createTempFile("upload", ".tmp");
     *     RequestScope.onEnd(() -> Files.deleteIfExists(upload));   // runs when the request ends
     *     ...
     * });
     * }</pre>
     * A cleanup runs on the thread that ends the scope. Registering is thread-safe: any thread of
     * the request may register.
     *
     * @param cleanup what to run at the end; it may throw a checked exception
     * @throws NullPointerException if {@code cleanup} is null
     * @throws IllegalStateException if no scope is bound in the current context, or if the scope
     *         has ended; then {@code cleanup} is neither kept nor run
     */
    public static void onEnd(AutoCloseable cleanup) {
        Objects.requireNonNull(cleanup, "cleanup");
        RequestScope scope = bound();
        if (scope == null) {
            throw new IllegalStateException("cannot register cleanup " + cleanup
                    + " outside a request scope: open one with RequestScope.run, call or open");
        }
        if (!scope.register(new Cleanup(cleanup))) {
            throw new IllegalStateException("cannot register cleanup " + cleanup + ": " + scope + " has ended");
        }
    }

    /** {@return a new owner id} for a memoizer or resource: dense, never reused */
    static int newOwnerId() {
        return OWNER_IDS.getAndIncrement();
    }

    /**
     * Returns the state of {@code owner} (whose id is {@code id}) in this scope, creating it with
     * {@code create} on first use. {@code create} must be cheap and must not use this scope; when
     * two threads create at once, one result wins and both get it.
     */
    @SuppressWarnings("unchecked")
    <S> S state(Object owner, int id, Function<? super RequestScope, ? extends S> create) {
        if (id < DIRECT) {
            Object[] direct = directStates;
            if (direct != null) {
                Object s = DIRECT_STATE.getAcquire(direct, id);
                if (s != null) {
                    return (S) s;
                }
            }
            return createDirect(id, create);
        }
        ConcurrentHashMap<Object, Object> m = states;
        if (m == null) {
            m = new ConcurrentHashMap<>();
            if (!STATES.compareAndSet(this, null, m)) {
                m = states;
            }
        }
        Object s = m.get(owner);
        if (s == null) {
            s = m.computeIfAbsent(owner, k -> create.apply(this));
        }
        return (S) s;
    }

    @SuppressWarnings("unchecked")
    private <S> S createDirect(int id, Function<? super RequestScope, ? extends S> create) {
        Object[] direct = directStates;
        if (direct == null) {
            direct = new Object[DIRECT];
            Object[] winner = (Object[]) DIRECT_STATES.compareAndExchange(this, (Object[]) null, direct);
            if (winner != null) {
                direct = winner;
            }
        }
        S mine = create.apply(this);
        Object winner = DIRECT_STATE.compareAndExchange(direct, id, (Object) null, (Object) mine);
        return winner == null ? mine : (S) winner;
    }

    /**
     * Registers an opened resource for closing at scope end. Returns false when the scope ended in
     * the meantime: the caller closes the resource itself and refuses.
     */
    boolean register(Ending slot) {
        while (true) {
            Object current = resources;
            if (current == ENDED) {
                return false;
            }
            Ending[] before = current == null ? NONE : (Ending[]) current;
            Ending[] after = Arrays.copyOf(before, before.length + 1);
            after[before.length] = slot;
            if (RESOURCES.compareAndSet(this, current, after)) {
                return true;
            }
        }
    }

    /** What runs when a scope ends: a resource's slot or a {@link #onEnd cleanup}. */
    interface Ending {
        /** Runs at scope end; {@return the failure, or null} */
        Throwable closeAtScopeEnd();
    }

    /** A cleanup registered with {@link #onEnd}. */
    private static final class Cleanup implements Ending {
        private final AutoCloseable action;

        Cleanup(AutoCloseable action) {
            this.action = action;
        }

        @Override
        public Throwable closeAtScopeEnd() {
            try {
                action.close();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }
    }

    /**
     * A body for {@link #call(Body)}: a {@link Runnable} that may throw a checked exception.
     *
     * @param <E> the checked exception the body throws, for example {@code IOException}
     */
    @FunctionalInterface
    public interface Body<E extends Exception> {
        /**
         * Runs the body.
         *
         * @throws E when the body fails
         */
        void run() throws E;
    }

    /** {@return a description, for example {@code RequestScope[#1b6d3586, open]}} */
    @Override
    public String toString() {
        return "RequestScope[#" + Integer.toHexString(System.identityHashCode(this)) + ", "
                + (isOpen() ? "open" : "ended") + "]";
    }
}
