package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one-liners a ported Python program needs without a helper class of its own: a Supplier form
 * of call and wrap (S6), a var bound for one action (S3, S5), a context built without entering it
 * (S4), and the warning for vars created per request (S10).
 */
@ExtendWith(ContextLeakGuard.class)
class ConvenienceApiTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");
    static final ContextVar<String> USER = ContextVar.of("user", "anonymous");

    @Test
    void supply_returnsValueInContext_noCheckedException_S6() {
        Context ctx = new Context().with(REQ, "r-1");
        String seen = ctx.supply(() -> REQ.get());         // no try/catch: Supplier throws nothing checked
        assertThat(seen).isEqualTo("r-1");
        assertThat(ctx.supply(() -> REQ.set("changed")).isUsed()).isFalse();
        assertThat(ctx.get(REQ)).isEqualTo("changed");
        assertThat(ctx.isEntered()).isFalse();
        assertThatThrownBy(() -> ctx.supply(() -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(ctx.isEntered()).isFalse();
    }

    @Test
    void supply_enteredContext_refusedActionNotRun_S7() {
        Context ctx = new Context();
        List<String> ran = new ArrayList<>();
        ctx.run(() -> assertThatThrownBy(() -> ctx.supply(() -> ran.add("ran")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is already entered"));
        assertThat(ran).isEmpty();
    }

    @Test
    void wrapSupplier_capturesNow_eachGetOwnCopy_S4() throws Exception {
        Supplier<String> wrapped;
        try (Token<String> t = REQ.set("at-wrap")) {
            wrapped = Context.copyCurrent().wrapSupplier(() -> {
                String v = REQ.get();
                REQ.set("inside");
                return v;
            });
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            assertThat(pool.submit(wrapped::get).get(10, TimeUnit.SECONDS)).isEqualTo("at-wrap");
            assertThat(wrapped.get()).isEqualTo("at-wrap");
            assertThat(REQ.orElse("none")).isEqualTo("none");
            ContextLeakGuard.assertPoolClean(pool, 1);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void runWith_setsRunsResets_alsoOnException_S5() {
        new Context().run(() -> {
            USER.runWith("alice", () -> assertThat(USER.get()).isEqualTo("alice"));
            assertThat(USER.get()).isEqualTo("anonymous");
            assertThat(Context.copyCurrent().containsKey(USER)).isFalse();
            try (Token<String> outer = USER.set("bob")) {
                assertThatThrownBy(() -> USER.runWith("carol", () -> {
                    throw new IllegalArgumentException("failed as carol");
                })).hasMessage("failed as carol");
                assertThat(USER.get()).isEqualTo("bob");
            }
            assertThat(USER.supplyWith("dave", () -> "hello " + USER.get())).isEqualTo("hello dave");
            assertThat(USER.get()).isEqualTo("anonymous");
            assertThatThrownBy(() -> USER.runWith("x", null)).isInstanceOf(NullPointerException.class).hasMessage("action");
            assertThat(Context.copyCurrent().isEmpty()).isTrue();
        });
    }

    @Test
    void with_buildsNewContext_originalUnchanged_notEntered_S4() {
        Context empty = new Context();
        Context one = empty.with(REQ, "r-1");
        Context two = one.with(USER, "alice").with(REQ, "r-2");
        assertThat(empty.isEmpty()).isTrue();
        assertThat(one.get(REQ)).isEqualTo("r-1");
        assertThat(one.containsKey(USER)).isFalse();
        assertThat(two.get(REQ)).isEqualTo("r-2");
        assertThat(two.get(USER)).isEqualTo("alice");
        assertThat(List.of(empty, one, two)).noneMatch(Context::isEntered);
        assertThat(empty.with(REQ, null).containsKey(REQ)).isTrue();
        two.run(() -> assertThat(REQ.get() + "/" + USER.get()).isEqualTo("r-2/alice"));
        // on an entered context: a new one, the entered one keeps its values
        one.run(() -> {
            Context derived = one.with(REQ, "derived");
            assertThat(REQ.get()).isEqualTo("r-1");
            assertThat(derived.isEntered()).isFalse();
            assertThat(derived.get(REQ)).isEqualTo("derived");
        });
    }

    @Test
    void manyVars_warnsOnceWithCallersFrame_S10() {
        assumeTrue(ContextVar.IDS.get() <= ContextVar.MANY_VARS, "the threshold was crossed earlier in this JVM");
        try (LogCapture log = LogCapture.of(ContextVar.class)) {
            while (ContextVar.IDS.get() <= ContextVar.MANY_VARS + 5) {
                ContextVar.of("per-request");
            }
            List<LogRecord> records = log.records();
            assertThat(records).hasSize(1);
            LogRecord r = records.get(0);
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains("more than 10000 ContextVars were created in this JVM")
                    .contains("static final field").contains("per-request");
            assertThat(r.getThrown().getStackTrace()[0].getClassName()).isEqualTo(ConvenienceApiTest.class.getName());
        }
    }
}
