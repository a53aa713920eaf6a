package org.contextvars4j.spring.boot.autoconfigure;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.slf4j.MDC;

/**
 * Puts the request id and the user's name into the MDC ({@value #REQUEST_ID}, {@value #USER})
 * for each dispatch of a request, right after the request filter set them in the request's
 * context, and puts back what the thread's MDC held before. With the MDC carried at every
 * hand-off ({@link MdcAccessor}), work the request hands to executors logs them too.
 */
final class MdcFieldsFilter implements Filter {

    /** The MDC key of the request id. */
    static final String REQUEST_ID = "request_id";

    /** The MDC key of the user's name. */
    static final String USER = "user";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String id = RequestVars.REQUEST_ID.orElse(null);
        if (id == null) {
            chain.doFilter(request, response);
            return;
        }
        String oldId = MDC.get(REQUEST_ID);
        String oldUser = MDC.get(USER);
        User user = RequestVars.USER.orElse(null);
        String name = user == null ? null : user.name();
        MDC.put(REQUEST_ID, id);
        if (name != null || oldUser != null) {      // a clean thread and no user: nothing to put
            put(USER, name);
        }
        try {
            chain.doFilter(request, response);
        } finally {
            put(USER, oldUser);                     // also what the chain may have left there
            put(REQUEST_ID, oldId);
        }
    }

    /** Puts {@code value} under {@code key}, or removes the key for null. */
    static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    @Override
    public String toString() {
        return "MdcFieldsFilter[" + REQUEST_ID + ", " + USER + "]";
    }
}
