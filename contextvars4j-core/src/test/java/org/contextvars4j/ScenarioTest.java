package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The library as an application uses it: request-scoped values read several calls deep without
 * parameters, handed to child threads only by an explicit copy, overridden temporarily.
 */
@ExtendWith(ContextLeakGuard.class)
class ScenarioTest {

    static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id", "none");
    static final ContextVar<String> USER = ContextVar.of("user");

    // Helpers several calls deep: none of them takes the request as a parameter.
    static String handle() {
        return service();
    }

    static String service() {
        return repository();
    }

    static String repository() {
        return REQUEST_ID.get() + "/" + USER.orElse("anonymous");
    }

    @Test
    void handle_twoInterleavedRequestsOnTwoThreads_eachSeesOnlyItsOwnValues() throws Exception {
        int steps = 200;
        CyclicBarrier lockstep = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> requests = new ArrayList<>();
            for (String request : List.of("r-1:alice", "r-2:bob")) {
                String id = request.split(":")[0];
                String user = request.split(":")[1];
                requests.add(pool.submit(() -> new Context().call(() -> {
                    List<String> seen = new ArrayList<>();
                    REQUEST_ID.set(id);
                    lockstep.await(10, TimeUnit.SECONDS);    // both requests are now in flight
                    USER.set(user);
                    for (int i = 0; i < steps; i++) {
                        lockstep.await(10, TimeUnit.SECONDS);
                        seen.add(handle());
                    }
                    return seen;
                })));
            }
            assertThat(requests.get(0).get(30, TimeUnit.SECONDS)).hasSize(steps).containsOnly("r-1/alice");
            assertThat(requests.get(1).get(30, TimeUnit.SECONDS)).hasSize(steps).containsOnly("r-2/bob");
            ContextLeakGuard.assertPoolClean(pool, 2);
        } finally {
            pool.shutdown();
        }
        assertThat(handle()).isEqualTo("none/anonymous");
    }

    @Test
    void newThread_startedWithoutCopy_seesDefaults_P1() throws Exception {
        try (Token<String> r = REQUEST_ID.set("r-7"); Token<String> u = USER.set("carol")) {
            AtomicReference<String> seen = new AtomicReference<>();
            ContextLeakGuard.runOnNewThread("child without copy", () -> {
                seen.set(handle());
                assertThatThrownBy(USER::get).isInstanceOf(NoSuchElementException.class);
            });
            assertThat(seen.get()).isEqualTo("none/anonymous");
        }
    }

    @Test
    void newThread_startedWithCopyCurrent_seesParentsValues_andParentSeesNotItsSets() throws Exception {
        try (Token<String> r = REQUEST_ID.set("r-8"); Token<String> u = USER.set("dave")) {
            Context snapshot = Context.copyCurrent();
            AtomicReference<String> seen = new AtomicReference<>();
            ContextLeakGuard.runOnNewThread("child with copy", () -> snapshot.run(() -> {
                seen.set(handle());
                USER.set("changed by child");
            }));
            assertThat(seen.get()).isEqualTo("r-8/dave");
            assertThat(handle()).isEqualTo("r-8/dave");                // the parent is not affected
            assertThat(snapshot.get(USER)).isEqualTo("changed by child");
        }
    }

    @Test
    void tokenClose_temporaryOverrides_restoreOnNormalExit() {
        try (Token<String> outer = USER.set("alice")) {
            try (Token<String> sudo = USER.set("root"); Token<String> req = REQUEST_ID.set("r-admin")) {
                assertThat(handle()).isEqualTo("r-admin/root");
            }
            assertThat(handle()).isEqualTo("none/alice");
        }
        assertThat(handle()).isEqualTo("none/anonymous");
        assertThat(Context.copyCurrent().containsKey(USER)).isFalse();
    }

    @Test
    void tokenClose_bodyThrows_previousValueRestoredAndExceptionPropagates() {
        try (Token<String> outer = USER.set("alice")) {
            IllegalStateException boom = new IllegalStateException("boom");
            assertThatThrownBy(() -> {
                try (Token<String> sudo = USER.set("root")) {
                    assertThat(handle()).isEqualTo("none/root");
                    throw boom;
                }
            }).isSameAs(boom);
            assertThat(boom.getSuppressed()).isEmpty();
            assertThat(handle()).isEqualTo("none/alice");
        }
    }

    @Test
    void reset_toTheDefault_getReturnsDefaultAndVarIsAbsent() {
        Context ctx = new Context();
        ctx.run(() -> {
            Token<String> t = REQUEST_ID.set("r-9");
            assertThat(REQUEST_ID.get()).isEqualTo("r-9");
            REQUEST_ID.reset(t);
            assertThat(REQUEST_ID.get()).isEqualTo("none");
            assertThat(Context.copyCurrent().containsKey(REQUEST_ID)).isFalse();

            Token<String> u = USER.set("erin");
            USER.reset(u);
            assertThatThrownBy(USER::get).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("user");
        });
        assertThat(ctx.isEmpty()).isTrue();
    }

    @Test
    void set_nullValue_isAValueNotAReset_S9() {
        new Context().run(() -> {
            try (Token<String> t = REQUEST_ID.set(null)) {
                assertThat(REQUEST_ID.get()).isNull();                // not the default "none"
                assertThat(REQUEST_ID.orElse("fallback")).isNull();
                assertThat(Context.copyCurrent().containsKey(REQUEST_ID)).isTrue();
                try (Token<String> t2 = REQUEST_ID.set("x")) {
                    assertThat(t2.oldValue()).isNull();
                }
                assertThat(REQUEST_ID.get()).isNull();
            }
            assertThat(REQUEST_ID.get()).isEqualTo("none");
        });
    }
}
