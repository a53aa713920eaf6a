package org.contextvars4j.log4j2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.apache.logging.log4j.ThreadContext;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code ThreadContext} on the current context (S3), {@code ContextLog4j.expose}, refusals. */
@ExtendWith(ContextLeakGuard.class)
class ContextThreadContextMapTest {

    private static <T> T valueIn(Context context, Supplier<T> read) {
        AtomicReference<T> seen = new AtomicReference<>();
        context.run(() -> seen.set(read.get()));
        return seen.get();
    }

    @Test
    @DisplayName("S3: ThreadContext.put is a set in the current context; a copy taken earlier keeps its value")
    void put_afterCopy_copyKeepsEarlierValue() {
        new Context().run(() -> {
            ThreadContext.put("request_id", "r-1");
            Context earlier = Context.copyCurrent();
            ThreadContext.put("request_id", "r-2");
            ThreadContext.putAll(Map.of("a", "1", "b", "2"));
            assertThat(ThreadContext.getContext()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("request_id", "r-2", "a", "1", "b", "2"));
            assertThat(valueIn(earlier, () -> ThreadContext.get("request_id"))).isEqualTo("r-1");
            ThreadContext.removeAll(List.of("a", "b"));
            ThreadContext.remove("request_id");
            assertThat(ThreadContext.isEmpty()).isTrue();
            assertThat(ThreadContext.getImmutableContext()).isEmpty();
            assertThat(valueIn(earlier, () -> ThreadContext.get("request_id"))).isEqualTo("r-1");
        });
    }

    @Test
    @DisplayName("S3: ThreadContext.clearMap empties the current context only, never a copy taken earlier")
    void clearMap_afterCopy_copyKeepsEntries() {
        new Context().run(() -> {
            ThreadContext.put("request_id", "r-1");
            Context earlier = Context.copyCurrent();
            ThreadContext.clearMap();
            assertThat(ThreadContext.containsKey("request_id")).isFalse();
            assertThat(valueIn(earlier, () -> ThreadContext.get("request_id"))).isEqualTo("r-1");
        });
    }

    @Test
    @DisplayName("S9: a null key is refused with NullPointerException naming it; nothing changes")
    void put_nullKey_refused() {
        ContextThreadContextMap map = new ContextThreadContextMap();
        new Context().run(() -> {
            map.put("a", "1");
            assertThatThrownBy(() -> map.put(null, "x"))
                    .isInstanceOf(NullPointerException.class).hasMessage("key");
            assertThatThrownBy(() -> map.putAll(java.util.Collections.singletonMap(null, "x")))
                    .isInstanceOf(NullPointerException.class).hasMessage("key");
            assertThat(map.getCopy()).isEqualTo(Map.of("a", "1"));
        });
    }

    @Test
    @DisplayName("exposing a key already exposed from another var is refused and changes nothing")
    void expose_keyTakenByOtherVar_refused() {
        ContextVar<String> first = ContextVar.of("first");
        ContextVar<String> second = ContextVar.of("second");
        ContextLog4j.expose("k", first);
        try {
            ContextLog4j.expose("k", first);
            assertThatThrownBy(() -> ContextLog4j.expose("k", second))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("context data key k is already exposed from " + first);
            try (LogCapture log = new LogCapture(false)) {
                new Context().run(() -> {
                    try (Token<String> a = first.set("1"); Token<String> b = second.set("2")) {
                        log.logger.info("exposed");
                    }
                });
                assertThat(log.lines()).extracting(LogCapture.Line::msg).containsExactly("exposed");
            }
        } finally {
            assertThat(ContextLog4j.unexpose("k")).isTrue();
        }
        assertThat(ContextLog4j.unexpose("k")).isFalse();
    }
}
