package org.contextvars4j.slf4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

/** The MDC operations on the current context (S3, S5), {@code ContextMdc}, and their refusals. */
@ExtendWith(ContextLeakGuard.class)
class ContextMdcTest {

    /** Runs {@code body} in a new, empty context. */
    private static void inNewContext(Runnable body) {
        new Context().run(body);
    }

    /** {@return what {@code read} returns when run in {@code context}} */
    private static <T> T valueIn(Context context, Supplier<T> read) {
        AtomicReference<T> seen = new AtomicReference<>();
        context.run(() -> seen.set(read.get()));
        return seen.get();
    }

    @Test
    @DisplayName("S3: MDC.put is a set in the current context; a copy taken earlier keeps its value")
    void put_afterCopy_copyKeepsEarlierValue() {
        inNewContext(() -> {
            MDC.put("request_id", "r-1");
            Context earlier = Context.copyCurrent();
            MDC.put("request_id", "r-2");
            assertThat(MDC.get("request_id")).isEqualTo("r-2");
            assertThat(valueIn(earlier, () -> MDC.get("request_id"))).isEqualTo("r-1");
        });
    }

    @Test
    @DisplayName("S3: MDC.clear empties the current context only, never a copy taken earlier")
    void clear_afterCopy_copyKeepsEntries() {
        inNewContext(() -> {
            MDC.put("request_id", "r-1");
            Context earlier = Context.copyCurrent();
            MDC.clear();
            assertThat(MDC.get("request_id")).isNull();
            assertThat(valueIn(earlier, () -> MDC.get("request_id"))).isEqualTo("r-1");
        });
    }

    @Test
    @DisplayName("S5: put then remove of a new key gives the context back the map it had")
    void remove_pairedWithPut_restoresIdenticalMap() {
        inNewContext(() -> {
            MDC.put("a", "1");
            Map<String, String> before = ContextMdcAdapter.MAP.get();
            MDC.put("b", "2");
            MDC.remove("b");
            assertThat(ContextMdcAdapter.MAP.get()).isSameAs(before);
        });
    }

    @Test
    @DisplayName("S3: remove in a context copy removes there only, the original keeps the entry")
    void remove_inCopyOfPuttingContext_removesInCopyOnly() {
        inNewContext(() -> {
            MDC.put("a", "1");
            Context copy = Context.copyCurrent();
            copy.run(() -> {
                MDC.remove("a");
                assertThat(MDC.get("a")).isNull();
            });
            assertThat(MDC.get("a")).isEqualTo("1");
        });
    }

    @Test
    @DisplayName("remove of a key put over an older value removes it, as SLF4J specifies")
    void remove_keyOverwritten_removesKey() {
        inNewContext(() -> {
            MDC.put("a", "1");
            MDC.put("a", "2");
            MDC.remove("a");
            assertThat(MDC.get("a")).isNull();
        });
    }

    @Test
    @DisplayName("S5: ContextMdc.putCloseable restores the previous value; other keys keep theirs")
    void putCloseable_overExistingValue_restoresPreviousValue() {
        inNewContext(() -> {
            MDC.put("step", "outer");
            try (ContextMdc.MdcCloseable c = ContextMdc.putCloseable("step", "inner")) {
                MDC.put("other", "x");
                assertThat(MDC.get("step")).isEqualTo("inner");
            }
            assertThat(MDC.get("step")).isEqualTo("outer");
            assertThat(MDC.get("other")).isEqualTo("x");
            try (ContextMdc.MdcCloseable c = ContextMdc.putCloseable("fresh", "1")) {
                assertThat(MDC.get("fresh")).isEqualTo("1");
            }
            assertThat(MDC.getCopyOfContextMap()).doesNotContainKey("fresh");
        });
    }

    @Test
    @DisplayName("SLF4J's own MDC.putCloseable closes with remove: the key is removed, as with stock Logback")
    void mdcPutCloseable_overExistingValue_removesKey() {
        inNewContext(() -> {
            MDC.put("step", "outer");
            try (MDC.MDCCloseable c = MDC.putCloseable("step", "inner")) {
                assertThat(MDC.get("step")).isEqualTo("inner");
            }
            assertThat(MDC.get("step")).isNull();
        });
    }

    @Test
    @DisplayName("a second close is refused and changes nothing")
    void mdcCloseableClose_twice_refused() {
        inNewContext(() -> {
            ContextMdc.MdcCloseable c = ContextMdc.putCloseable("step", "inner");
            c.close();
            MDC.put("step", "later");
            assertThatThrownBy(c::close)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("MdcCloseable[step] has already been closed");
            assertThat(MDC.get("step")).isEqualTo("later");
        });
    }

    @Test
    @DisplayName("getCopyOfContextMap is a mutable copy with the exposed vars; setContextMap replaces the entries")
    void copyAndSetContextMap_roundTrip_independentCopies() {
        ContextVar<String> user = ContextVar.of("user");
        ContextMdc.expose("user", user);
        try {
            inNewContext(() -> {
                try (Token<String> t = user.set("ada")) {
                    MDC.put("request_id", "r-1");
                    Map<String, String> copy = MDC.getCopyOfContextMap();
                    assertThat(copy).containsExactlyInAnyOrderEntriesOf(Map.of("request_id", "r-1", "user", "ada"));
                    copy.put("request_id", "changed");
                    assertThat(MDC.get("request_id")).isEqualTo("r-1");
                    MDC.setContextMap(Map.of("other", "1"));
                    assertThat(MDC.getCopyOfContextMap()).containsExactlyInAnyOrderEntriesOf(Map.of("other", "1", "user", "ada"));
                    assertThat(((LogbackMDCAdapter) MDC.getMDCAdapter()).getKeys()).containsExactlyInAnyOrder("other", "user");
                }
                assertThat(MDC.get("user")).isNull();
            });
        } finally {
            ContextMdc.unexpose("user");
        }
    }

    @Test
    @DisplayName("an exposed var is read live; an MDC entry under the same key wins")
    void expose_varChanges_mdcReadsLiveValue() {
        ContextVar<String> user = ContextVar.of("user", "anonymous");
        ContextMdc.expose("user", user);
        try {
            inNewContext(() -> {
                assertThat(MDC.get("user")).isEqualTo("anonymous");
                try (Token<String> t = user.set("ada")) {
                    assertThat(MDC.get("user")).isEqualTo("ada");
                    MDC.put("user", "explicit");
                    assertThat(MDC.get("user")).isEqualTo("explicit");
                    MDC.remove("user");
                }
            });
        } finally {
            assertThat(ContextMdc.unexpose("user")).isTrue();
        }
        assertThat(ContextMdc.unexpose("user")).isFalse();
    }

    @Test
    @DisplayName("exposing a key already exposed from another var is refused and changes nothing")
    void expose_keyTakenByOtherVar_refused() {
        ContextVar<String> first = ContextVar.of("first");
        ContextVar<String> second = ContextVar.of("second");
        ContextMdc.expose("k", first);
        try {
            ContextMdc.expose("k", first);  // same var again: allowed, no change
            assertThatThrownBy(() -> ContextMdc.expose("k", second))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("mdc key k is already exposed from " + first);
            inNewContext(() -> {
                try (Token<String> t = first.set("1"); Token<String> u = second.set("2")) {
                    assertThat(MDC.get("k")).isEqualTo("1");
                }
            });
        } finally {
            ContextMdc.unexpose("k");
        }
    }

    @Test
    @DisplayName("S9: null key refused with SLF4J's IllegalArgumentException; nothing changes")
    void put_nullKey_refused() {
        inNewContext(() -> {
            MDC.put("a", "1");
            Map<String, String> before = ContextMdcAdapter.MAP.get();
            assertThatThrownBy(() -> MDC.put(null, "x"))          // SLF4J's own check
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key parameter cannot be null");
            assertThatThrownBy(() -> ContextMdc.mdcAdapter().put(null, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key cannot be null");
            assertThatThrownBy(() -> MDC.pushByKey(null, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key cannot be null");
            assertThatThrownBy(() -> MDC.pushByKey("d", null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("value");
            assertThatThrownBy(() -> ContextMdc.putCloseable(null, "x"))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("key");
            assertThat(ContextMdcAdapter.MAP.get()).isSameAs(before);
            assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("d")).isNull();
        });
    }

    @Test
    @DisplayName("S3: pushByKey/popByKey keep a per-key stack in the current context; a copy keeps its own")
    void pushPop_withCopy_stacksAreIsolated() {
        inNewContext(() -> {
            MDC.pushByKey("d", "1");
            MDC.pushByKey("d", "2");
            Context earlier = Context.copyCurrent();
            assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("d")).containsExactly("2", "1");
            assertThat(MDC.popByKey("d")).isEqualTo("2");
            assertThat(MDC.popByKey("d")).isEqualTo("1");
            assertThat(MDC.popByKey("d")).isNull();
            assertThat(valueIn(earlier, () -> MDC.getMDCAdapter().getCopyOfDequeByKey("d"))).containsExactly("2", "1");
            MDC.pushByKey("d", "3");
            MDC.getMDCAdapter().clearDequeByKey("d");
            assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("d")).isNull();
        });
    }

    @Test
    @DisplayName("install refuses a logger context that already has another MDC adapter; nothing changes")
    void install_contextWithStockAdapter_refused() {
        LoggerContext lc = new LoggerContext();
        lc.setName("hand-made");
        LogbackMDCAdapter stock = new LogbackMDCAdapter();
        lc.setMDCAdapter(stock);
        assertThatThrownBy(() -> ContextMdc.install(lc))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("logger context hand-made already has an mdc adapter: ch.qos.logback.classic.util.LogbackMDCAdapter");
        assertThat(lc.getMDCAdapter()).isSameAs(stock);

        LoggerContext fresh = new LoggerContext();
        ContextMdc.install(fresh);
        ContextMdc.install(fresh);   // the same adapter again: no change
        assertThat(fresh.getMDCAdapter()).isSameAs(ContextMdc.mdcAdapter());
    }
}
