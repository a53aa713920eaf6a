package org.contextvars4j.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.util.Objects;

/**
 * The container's {@link AsyncContext} seen through the filter: {@link #start} runs the task in a
 * copy of the context current at the call, and listeners are kept by the request's
 * {@link RequestState}, which calls each in the context it was added in. Everything else is the
 * container's.
 */
final class ContextAsyncContext implements AsyncContext {

    private final AsyncContext delegate;
    private final RequestState state;

    ContextAsyncContext(AsyncContext delegate, RequestState state) {
        this.delegate = delegate;
        this.state = state;
    }

    @Override
    public void start(Runnable run) {
        delegate.start(state.capture().wrap(Objects.requireNonNull(run, "run")));
    }

    @Override
    public void addListener(AsyncListener listener) {
        state.addListener(Objects.requireNonNull(listener, "listener"), null, null);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
        state.addListener(Objects.requireNonNull(listener, "listener"), request, response);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
        return delegate.createListener(type);
    }

    @Override
    public ServletRequest getRequest() {
        return delegate.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
        return delegate.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return delegate.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
        delegate.dispatch();
    }

    @Override
    public void dispatch(String path) {
        delegate.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        delegate.dispatch(context, path);
    }

    @Override
    public void complete() {
        delegate.complete();
    }

    @Override
    public void setTimeout(long timeout) {
        delegate.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
        return delegate.getTimeout();
    }
}
