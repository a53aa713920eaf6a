package org.contextvars4j.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/** The request the filter passes down the chain: its async contexts keep the request's context. */
final class AsyncAwareRequest extends HttpServletRequestWrapper {

    private final RequestState state;

    AsyncAwareRequest(HttpServletRequest request, RequestState state) {
        super(request);
        this.state = state;
    }

    @Override
    public AsyncContext startAsync() {
        return state.asyncStarted(super.startAsync());
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        return state.asyncStarted(super.startAsync(request, response));
    }

    @Override
    public AsyncContext getAsyncContext() {
        AsyncContext async = super.getAsyncContext();
        return async == null || async instanceof ContextAsyncContext ? async : new ContextAsyncContext(async, state);
    }
}
