package org.contextvars4j.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.contextvars4j.Context;
import org.contextvars4j.RequestScope;
import org.contextvars4j.web.RequestVars;

/**
 * One request's state, shared by all its dispatches through a request attribute: its context,
 * its id, the application's async listeners, and whether it has ended.
 *
 * <p>For an async request this object is the one {@link AsyncListener} the filter registers on
 * the container's {@link AsyncContext}. The application's listeners are kept here instead of
 * being registered one by one, so that each callback runs in the context its listener was added
 * in, and so that the request ends only after the last listener saw {@code onComplete}.
 */
final class RequestState implements AsyncListener {

    /** A body that may throw what a filter may throw. */
    @FunctionalInterface
    interface Body {
        void run() throws IOException, ServletException;
    }

    /** An application listener, the context it was added in, and the request/response it was added with. */
    private record Registered(AsyncListener listener, Context context, ServletRequest request, ServletResponse response) {
    }

    /** One of the four callbacks, to call on a listener. */
    @FunctionalInterface
    private interface Callback {
        void call(AsyncListener listener, AsyncEvent event) throws IOException;
    }

    private final Context context = new Context();
    private final AtomicBoolean ended = new AtomicBoolean();
    private List<Registered> listeners;        // guarded by this; made at the first addListener (most requests never add one)
    private volatile String requestId;
    private volatile boolean listening;
    private volatile RequestScope scope;

    /** {@return the request's own context, entered by the first dispatch} */
    Context context() {
        return context;
    }

    void started(String id) {
        this.requestId = id;
    }

    /** {@return whether the calling thread runs in this request's context (or a copy of it)} */
    private boolean isCurrent() {
        String id = requestId;
        return id != null && RequestVars.REQUEST_ID.orElse(null) == id;
    }

    /**
     * {@return a copy of the context to hand work to: the current one when the caller runs in
     * this request (P2, capture at submission), else the request's own}
     */
    Context capture() {
        return isCurrent() ? Context.copyCurrent() : context.copy();
    }

    /** Opens the request's {@link RequestScope}, bound in the request's context; call it in that context. */
    void openScope() {
        scope = RequestScope.open();
    }

    /**
     * Ends the request once: closes its scope (its resources, last opened first). A close
     * failure is suppressed into {@code failure} when the request already failed, else thrown.
     */
    void end(Throwable failure) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        RequestScope s = scope;
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (RuntimeException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
    }

    /**
     * Runs one dispatch of this request down the chain, then ends the request unless it went
     * async, in which case it ends at async completion (after the listeners' {@code onComplete}).
     */
    void dispatch(HttpServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Throwable failure = null;
        try {
            chain.doFilter(new AsyncAwareRequest(request, this), response);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            if (request.isAsyncStarted()) {
                listenTo(request.getAsyncContext());
            } else if (!listening) {
                end(failure);
            }
        }
    }

    /** A later dispatch of this request (ASYNC, ERROR, or a FORWARD/INCLUDE inside it). */
    void redispatch(HttpServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (isCurrent()) {
            chain.doFilter(request, response);      // nested on the same thread: already in context
            return;
        }
        runIn(capture(), () -> dispatch(request, response, chain));
    }

    /** The request went async: listen for its completion, and hand out the context-keeping view. */
    AsyncContext asyncStarted(AsyncContext async) {
        listenTo(async);
        return new ContextAsyncContext(async, this);
    }

    private synchronized void listenTo(AsyncContext async) {
        if (!listening) {
            async.addListener(this);
            listening = true;
        }
    }

    synchronized void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
        if (listeners == null) {
            listeners = new ArrayList<>(2);
        }
        listeners.add(new Registered(listener, capture(), request, response));
    }

    private synchronized List<Registered> listeners(boolean clear) {
        if (listeners == null) {
            return List.of();
        }
        List<Registered> copy = List.copyOf(listeners);
        if (clear) {
            listeners.clear();
        }
        return copy;
    }

    @Override
    public void onComplete(AsyncEvent event) throws IOException {
        try {
            notify(listeners(false), event, AsyncListener::onComplete);
        } finally {
            end(null);
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) throws IOException {
        notify(listeners(false), event, AsyncListener::onTimeout);
    }

    @Override
    public void onError(AsyncEvent event) throws IOException {
        notify(listeners(false), event, AsyncListener::onError);
    }

    /** {@code startAsync} again: as the spec says, listeners are dropped and told, and may add themselves back. */
    @Override
    public void onStartAsync(AsyncEvent event) throws IOException {
        event.getAsyncContext().addListener(this);
        notify(listeners(true), event, AsyncListener::onStartAsync);
    }

    /** Calls every listener in its own context; the first failure is rethrown after all were called. */
    private void notify(List<Registered> targets, AsyncEvent event, Callback callback) throws IOException {
        IOException first = null;
        for (Registered r : targets) {
            AsyncEvent own = new AsyncEvent(new ContextAsyncContext(event.getAsyncContext(), this),
                    r.request() != null ? r.request() : event.getSuppliedRequest(),
                    r.response() != null ? r.response() : event.getSuppliedResponse(),
                    event.getThrowable());
            try {
                runIn(r.context().copy(), () -> callback.call(r.listener(), own));
            } catch (IOException | ServletException | RuntimeException e) {
                IOException wrapped = e instanceof IOException io ? io : new IOException(e);
                if (first == null) {
                    first = wrapped;
                } else {
                    first.addSuppressed(wrapped);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Runs {@code body} in {@code context}, letting its exceptions through unchanged. */
    static void runIn(Context context, Body body) throws IOException, ServletException {
        try {
            context.call(() -> {
                body.run();
                return null;
            });
        } catch (IOException | ServletException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);              // unreachable: Body throws nothing else
        }
    }

    @Override
    public String toString() {
        return "RequestState[" + requestId + (ended.get() ? ", ended" : "") + (listening ? ", async" : "") + "]";
    }
}
