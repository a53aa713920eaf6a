package org.contextvars4j.spring.boot.autoconfigure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import org.contextvars4j.Token;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolderStrategy;

/**
 * Runs after Spring Security's filter chain and makes its authenticated principal the request's
 * {@link RequestVars#USER}: the name, and the authorities as roles ({@code ROLE_} prefix
 * removed). The var is set in the request's context for the rest of the chain, so every
 * hand-off of the request carries it, and reset afterwards. Anonymous and unauthenticated
 * requests keep the user the request filter set.
 */
final class PrincipalUserFilter implements Filter {

    private final SecurityContextHolderStrategy holder;

    PrincipalUserFilter(SecurityContextHolderStrategy holder) {
        this.holder = holder;
    }

    @Override
    @SuppressWarnings("try") // the token is never named in the body: closing it is the reset
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        User user = RequestVars.REQUEST_ID.orElse(null) == null ? null : userOf(holder.getContext().getAuthentication());
        if (user == null || user.equals(RequestVars.USER.orElse(null))) {
            chain.doFilter(request, response);
            return;
        }
        String mdcBefore = org.slf4j.MDC.get(MdcFieldsFilter.USER);
        try (Token<User> t = RequestVars.USER.set(user)) {
            MdcFieldsFilter.put(MdcFieldsFilter.USER, user.name());
            chain.doFilter(request, response);
        } finally {
            MdcFieldsFilter.put(MdcFieldsFilter.USER, mdcBefore);
        }
    }

    /** {@return the user for an authentication, or null when it names nobody} */
    static User userOf(Authentication authentication) {
        if (authentication == null || !authentication.isAuthenticated() || authentication instanceof AnonymousAuthenticationToken) {
            return null;
        }
        List<String> roles = new ArrayList<>();
        for (GrantedAuthority authority : authentication.getAuthorities()) {
            String name = authority.getAuthority();
            if (name != null) {
                roles.add(name.startsWith("ROLE_") ? name.substring(5) : name);
            }
        }
        return User.of(authentication.getName(), roles);
    }

    @Override
    public String toString() {
        return "PrincipalUserFilter[" + holder.getClass().getSimpleName() + "]";
    }
}
