package org.contextvars4j;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A resource, such as a JDBC connection or a session, opened lazily on first use inside a
 * {@link RequestScope}, the same instance for the rest of that scope, and closed when the scope
 * ends: the articles' {@code db_session} context variable with its teardown.
 * <pre>{@code
 * static final ScopedResource<Connection> DB = ScopedResource.of("db", () -> dataSource.getConnection());
 *
 * static List<String> userNames() throws SQLException {
 *     return DB.use(connection -> {
 *         try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM users ORDER BY id")) {
 *             List<String> found = new ArrayList<>();
 *             while (rs.next()) {
 *                 found.add(rs.getString(1));
 *             }
 *             return found;
 *         }
 *     });
 * }
 *
 * List<String> names = RequestScope.call(() -> {
 *     List<String> first = userNames();       // opens the request's connection
 *     List<String> second = userNames();      // the same connection
 *     return first.equals(second) ? first : List.of();
 * });                                          // closed here, even if the body throws
 * }</pre>
 *
 * <h2>Thread-safety: use {@code use}</h2>
 * A scope is shared by every hand-off made from it, so several threads of one request can reach
 * the same resource at once. Most resources, a JDBC {@code Connection} first, must not be used by
 * two threads at the same time. {@link #use(Action)} serialises access: one call at a time per
 * scope, re-entrant on the same thread, and the scope's end waits for a call in progress before
 * closing the resource. {@link #get()} hands out the object itself with no such guard: it is
 * <strong>not thread-safe</strong> for a non-thread-safe resource, and must stay on one thread
 * and inside the scope.
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li>Opened on the first {@code get} or {@code use} in a scope, by the opener given to
 *       {@link #of}; concurrent first uses open it once.</li>
 *   <li>When the opener throws, nothing is registered and the next use tries again. A checked
 *       failure is wrapped in {@link ScopedResourceException}; an unchecked one passes as is.</li>
 *   <li>Closed when the scope ends, after the resources opened later (last opened, first
 *       closed). Close failures are never swallowed: see {@link RequestScope}.</li>
 *   <li>After the scope ended, {@code get} and {@code use} refuse with
 *       {@link IllegalStateException} naming the resource: a task that escaped the scope never
 *       reopens it and never gets another scope's resource.</li>
 * </ul>
 *
 * <p>A {@code ScopedResource} is immutable and safe to share; create each one once, typically in
 * a {@code static final} field. Unless otherwise specified, passing a null argument to a method of
 * this class throws {@link NullPointerException} naming the parameter.
 *
 * @param <R> the type of the resource
 */
public final class ScopedResource<R extends AutoCloseable> {

    /**
     * An action on a resource; it may throw a checked exception, which {@link #use(Action)}
     * passes through.
     *
     * @param <R> the type of the resource
     * @param <T> the type of the result
     * @param <E> the type of the checked exception thrown, for example {@code SQLException}
     */
    @FunctionalInterface
    public interface Action<R, T, E extends Exception> {
        /**
         * Acts on the resource.
         *
         * @param resource the scope's resource
         * @return the result
         * @throws E when the action fails
         */
        T apply(R resource) throws E;
    }

    private final String name;
    private final Callable<? extends R> opener;
    private final Function<RequestScope, Slot<R>> newSlot = scope -> new Slot<>(this, scope);
    private final int id = RequestScope.newOwnerId();

    private ScopedResource(String name, Callable<? extends R> opener) {
        this.name = Objects.requireNonNull(name, "name");
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    /**
     * Creates a resource opened by {@code opener} on first use in each scope.
     *
     * @param name a name for messages and {@code toString()}
     * @param opener opens the resource; may throw; must not return null
     * @param <R> the type of the resource
     * @return the new resource handle
     * @throws NullPointerException if {@code name} or {@code opener} is null
     */
    public static <R extends AutoCloseable> ScopedResource<R> of(String name, Callable<? extends R> opener) {
        return new ScopedResource<>(name, opener);
    }

    /** {@return the name given at creation} */
    public String name() {
        return name;
    }

    /**
     * Returns this resource in the current scope, opening it on first use. The object is handed
     * out without a guard: it is <strong>not thread-safe</strong> when the resource is not, so
     * keep it on this thread, do not keep it beyond the scope, and prefer {@link #use(Action)}.
     *
     * @return the scope's instance, the same for the rest of the scope
     * @throws IllegalStateException if no scope is bound in the current context, if the scope has
     *         ended, or if the opener asked for this same resource (recursion); the message names
     *         the resource
     * @throws ScopedResourceException if the opener threw a checked exception (nothing is
     *         registered; the next use tries again)
     */
    public R get() {
        Slot<R> slot = slot();
        R r = slot.instance;
        if (r != null) {
            return r;
        }
        slot.lock.lock();
        try {
            return slot.openLocked();
        } finally {
            slot.lock.unlock();
        }
    }

    /**
     * Applies {@code action} to this resource in the current scope, opening it on first use, with
     * access serialised per scope: while the action runs, other threads' {@code use} of this
     * resource in the same scope wait, and the scope's end waits before closing it. A nested
     * {@code use} on the same thread does not wait. The class documentation shows a query.
     *
     * <p>The result can go straight into an overloaded method such as
     * {@code System.out.println(DB.use(Connection::getCatalog))}, with a method reference or a
     * lambda whose parameter is typed ({@code (Connection c) -> c.getCatalog()}). With an untyped
     * lambda ({@code c -> c.getCatalog()}) Java leaves the result type open while it picks among
     * {@code println}'s overloads (JLS 15.12.2.2: an implicitly typed lambda is not pertinent to
     * applicability), so {@code println(char[])} and {@code println(String)} both match and the
     * call is ambiguous, as it is for any generic method; assign the result to a variable first.
     *
     * <p>As with any lock, do not wait inside the action for another thread of the request that
     * needs this resource (for example a memoized key that thread is computing with it): both
     * would wait for ever.
     *
     * @param action what to do with the resource
     * @param <T> the result type
     * @param <E> the checked exception the action throws
     * @return what the action returned
     * @throws E what the action throws, unchanged
     * @throws IllegalStateException if no scope is bound in the current context, if the scope has
     *         ended, or if the opener asked for this same resource; the message names the resource
     * @throws ScopedResourceException if the opener threw a checked exception
     */
    public <T, E extends Exception> T use(Action<? super R, ? extends T, ? extends E> action) throws E {
        Objects.requireNonNull(action, "action");
        Slot<R> slot = slot();
        slot.lock.lock();
        try {
            return action.apply(slot.openLocked());
        } finally {
            slot.lock.unlock();
        }
    }

    /** {@return this resource's slot in the bound scope, created on first use} */
    private Slot<R> slot() {
        RequestScope scope = RequestScope.bound();
        if (scope == null) {
            throw new IllegalStateException(this + " used outside a request scope: open one with "
                    + "RequestScope.run, call or open");
        }
        if (!scope.isOpen()) {
            throw ended(scope);
        }
        return scope.state(this, id, newSlot);
    }

    private IllegalStateException ended(RequestScope scope) {
        return new IllegalStateException(this + " is closed: " + scope + " has ended");
    }

    /** {@return a description, for example {@code ScopedResource[db]}} */
    @Override
    public String toString() {
        return "ScopedResource[" + name + "]";
    }

    /**
     * This resource in one scope. The lock guards opening, {@link #use} and closing; the instance
     * is also read without it on the fast path of {@link #get()}.
     */
    static final class Slot<R extends AutoCloseable> implements RequestScope.Ending {
        final ReentrantLock lock = new ReentrantLock();
        private final ScopedResource<R> resource;
        private final RequestScope scope;
        volatile R instance;
        /** Guarded by lock. */
        private boolean opening;
        /** Guarded by lock. */
        private boolean closed;

        Slot(ScopedResource<R> resource, RequestScope scope) {
            this.resource = resource;
            this.scope = scope;
        }

        /** Returns the instance, opening it if needed; called with the lock held. */
        R openLocked() {
            if (closed || !scope.isOpen()) {
                throw resource.ended(scope);
            }
            R r = instance;
            if (r != null) {
                return r;
            }
            if (opening) {
                throw new IllegalStateException("recursive use of " + resource
                        + ": its opener asked for the resource it is opening");
            }
            opening = true;
            try {
                r = resource.opener.call();
            } catch (Exception e) {
                throw ScopedResourceException.unchecked(e, "cannot open " + resource);
            } finally {
                opening = false;
            }
            if (r == null) {
                throw new IllegalStateException("the opener of " + resource + " returned null");
            }
            if (!scope.register(this)) {
                // The scope ended while the opener ran: close what it opened, hand out nothing.
                IllegalStateException refused = resource.ended(scope);
                try {
                    r.close();
                } catch (Exception e) {
                    refused.addSuppressed(e);
                }
                throw refused;
            }
            instance = r;
            return r;
        }

        /** Closes the instance at scope end, after a {@code use} in progress; returns the failure or null. */
        @Override
        public Throwable closeAtScopeEnd() {
            lock.lock();
            try {
                closed = true;
                R r = instance;
                instance = null;
                if (r != null) {
                    r.close();
                }
                return null;
            } catch (Throwable t) {
                return t;
            } finally {
                lock.unlock();
            }
        }
    }
}
