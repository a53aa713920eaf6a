package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.FilterChain;
import org.contextvars4j.Context;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

/**
 * The MDC fields filter on its own (Logback's thread-local MDC): what a request's log lines see,
 * and what the pooled thread's MDC is afterwards, for anonymous and named users, on a clean
 * thread and on one whose MDC already held the keys. An anonymous request on a clean thread
 * skips the user key's put (issue 22's throughput); the thread must still end clean.
 */
@ExtendWith(ContextLeakGuard.class)
class MdcFieldsFilterTest {

    private final MdcFieldsFilter filter = new MdcFieldsFilter();

    @AfterEach
    void clear() {
        MDC.clear();
    }

    /** {@return the MDC the chain saw, running the filter in a request context with {@code id} and {@code user}} */
    private Map<String, String> request(String id, User user, FilterChain extra) throws Exception {
        Map<String, String> seen = new HashMap<>();
        Context context = new Context();
        context.call(() -> {
            RequestVars.REQUEST_ID.set(id);
            RequestVars.USER.set(user);
            filter.doFilter(null, null, (req, res) -> {
                Map<String, String> now = MDC.getCopyOfContextMap();
                if (now != null) {
                    seen.putAll(now);
                }
                extra.doFilter(req, res);
            });
            return null;
        });
        return seen;
    }

    @Test
    void doFilter_anonymousOnACleanThread_idOnlyThenClean() throws Exception {
        assertThat(request("r-1", null, (req, res) -> { })).containsExactlyEntriesOf(Map.of("request_id", "r-1"));
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void doFilter_namedUser_idAndUserThenClean() throws Exception {
        assertThat(request("r-2", User.of("alice"), (req, res) -> { }))
                .containsOnly(Map.entry("request_id", "r-2"), Map.entry("user", "alice"));
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void doFilter_threadMdcHeldTheKeys_anonymousHidesTheOldUserThenPutsBothBack() throws Exception {
        MDC.put("request_id", "old-id");
        MDC.put("user", "old-user");
        assertThat(request("r-3", null, (req, res) -> { })).containsExactlyEntriesOf(Map.of("request_id", "r-3"));
        assertThat(MDC.getCopyOfContextMap()).containsOnly(Map.entry("request_id", "old-id"), Map.entry("user", "old-user"));
    }

    @Test
    void doFilter_chainLeavesAUserKey_removedAfterTheRequest() throws Exception {
        request("r-4", null, (req, res) -> MDC.put("user", "left by the application"));
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void doFilter_outsideARequest_mdcUntouched() throws Exception {
        MDC.put("other", "kept");
        Map<String, String> seen = new HashMap<>();
        filter.doFilter(null, null, (req, res) -> seen.putAll(MDC.getCopyOfContextMap()));
        assertThat(seen).containsExactlyEntriesOf(Map.of("other", "kept"));
        assertThat(MDC.getCopyOfContextMap()).containsExactlyEntriesOf(Map.of("other", "kept"));
    }
}
