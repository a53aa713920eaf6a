package org.contextvars4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
 * a cache of that task's copy. The scope's state is created when the scope opens and is
 * thread-safe, since copies on several threads share it. Two scopes never share anything.
 * <pre>{@code
 * String page = RequestScope.call(() -> {
 *     User user = USER_BY_ID.apply(42);           // computed once in this scope
 *     return DB.use(connection -> render(connection, user));   // connection opened here, closed at the end
 * });
 * }</pre>
 *
 * <h2>Where it ends</h2>
 * {@link #run(Runnable)} and {@link #call(Callable)} open a scope in a fresh copy of the current
 * context and end it when the body returns or throws. {@link #open()} binds a scope in the
 * current context itself, for code whose request ends elsewhere (an asynchronous servlet ends it
 * from a completion callback on another thread); {@link #close()} ends it, from any thread.
 * Ending a scope closes its resources, last opened first, and drops its memoized results. A task
 * that escaped the scope (still running after the end) still sees the ended scope: its memoizers
 * and resources refuse with {@link IllegalStateException}; nothing is reopened, and nothing of
 * another scope is ever handed out.
 *
 * <h2>Close failures</h2>
 * Every resource is closed even when an earlier one fails to close. With {@code run} and
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
 * @implNote The binding is one {@link ContextVar#set}; a scope with no resources and no memoized
 * results allocates the scope object, its token and an empty map. {@code docs/benchmarks.md}
 * gives measured figures.
 */
public final class RequestScope implements AutoCloseable {

    /** The scope bound in a context; hidden so that only open/close bind and unbind it. */
    private static final ContextVar<RequestScope> CURRENT = ContextVar.of("contextvars4j.request_scope", null);

    private static final AtomicLong IDS = new AtomicLong();

    private final long id;
    private final Thread openingThread;
    private Token<RequestScope> binding;
    private volatile boolean open = true;

    /** Per-scope state of each memoizer and resource used in this scope, keyed by its owner. */
    private final ConcurrentHashMap<Object, Object> states = new ConcurrentHashMap<>();

    /** The resources opened in this scope, in opening order; guarded by {@code this}. */
    private List<ScopedResource.Slot<?>> opened;

    private RequestScope() {
        this.id = IDS.incrementAndGet();
        this.openingThread = Thread.currentThread();
    }

    /**
     * Opens a new scope and binds it in the current context. Code running in this context, and
     * hand-offs copied from it from now on, share the scope until {@link #close()}.
     * <pre>{@code
     * RequestScope scope = RequestScope.open();
     * try {
     *     handle();                       // memoizers and resources belong to this scope
     * } finally {
     *     scope.close();                  // or later, from another thread
     * }
     * }</pre>
     *
     * @return the open scope; close it exactly where the unit of work ends
     */
    public static RequestScope open() {
        RequestScope scope = new RequestScope();
        scope.binding = CURRENT.set(scope);
        return scope;
    }

    /**
     * Runs {@code body} in a fresh copy of the current context with a new scope, and ends the
     * scope when the body returns or throws. Close failures are suppressed into the body's
     * exception, or thrown after all resources are closed when the body completed.
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
        return open;
    }

    /**
     * Ends this scope: closes its resources, last opened first, and drops its memoized results.
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
        List<ScopedResource.Slot<?>> toClose;
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
            toClose = opened;
            opened = null;
        }
        states.clear();
        Throwable first = null;
        if (toClose != null) {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                Throwable failure = toClose.get(i).closeAtScopeEnd();
                if (failure == null) {
                    continue;
                }
                if (bodyFailure != null) {
                    bodyFailure.addSuppressed(failure);
                } else if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            }
        }
        if (first != null) {
            throw ScopedResourceException.unchecked(first, "cannot close a resource of " + this);
        }
    }

    /** Undoes the binding when this thread and context are where {@link #open()} made it. */
    private void unbindIfHere() {
        if (Thread.currentThread() != openingThread || binding == null || binding.isUsed()
                || CURRENT.orElse(null) != this) {
            return;
        }
        try {
            CURRENT.reset(binding);
        } catch (IllegalArgumentException aCopyOfTheOpeningContext) {
            // A copy made on the opening thread: its binding goes away with the copy.
        }
    }

    /**
     * Returns the state of {@code owner} in this scope, creating it with {@code create} on first
     * use. {@code create} must be cheap and must not use this scope.
     */
    @SuppressWarnings("unchecked")
    <S> S state(Object owner, Function<? super RequestScope, ? extends S> create) {
        Object s = states.get(owner);
        if (s == null) {
            s = states.computeIfAbsent(owner, k -> create.apply(this));
        }
        return (S) s;
    }

    /**
     * Registers an opened resource for closing at scope end. Returns false when the scope ended in
     * the meantime: the caller closes the resource itself and refuses.
     */
    synchronized boolean register(ScopedResource.Slot<?> slot) {
        if (!open) {
            return false;
        }
        if (opened == null) {
            opened = new ArrayList<>(2);
        }
        opened.add(slot);
        return true;
    }

    /** {@return a description, for example {@code RequestScope[#12, open]}} */
    @Override
    public String toString() {
        return "RequestScope[#" + id + ", " + (open ? "open" : "ended") + "]";
    }
}
