package org.contextvars4j.spring.boot.autoconfigure;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/** Counts the dispatches running inside the request filter's context, for the {@code contextvars4j.scopes.open} gauge. */
final class OpenScopesFilter implements Filter {

    private final OpenScopes scopes;

    OpenScopesFilter(OpenScopes scopes) {
        this.scopes = scopes;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        scopes.opened();
        try {
            chain.doFilter(request, response);
        } finally {
            scopes.closed();
        }
    }
}
