package org.contextvars4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.contextvars4j.Context;
import org.contextvars4j.ContextLeakGuard;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Scope;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Bridges#enterCopy} (issue 26, the Micrometer accessor's installation): a fresh copy
 * entered without the S7 compare-and-set, closed by its scope with every S8 refusal.
 */
@ExtendWith(ContextLeakGuard.class)
class BridgesEnterCopyTest {

    private static final ContextVar<String> VAR = ContextVar.of("bridges.enterCopy");

    @Test
    @DisplayName("S6, S7: the copy is current until its scope closes; the source is never entered nor changed")
    void enterCopy_copyCurrentUntilClose_sourceUntouched() {
        Context source = new Context().with(VAR, "a");
        Scope scope = Bridges.enterCopy(source);
        assertThat(VAR.get()).isEqualTo("a");
        assertThat(source.isEntered()).isFalse();
        VAR.set("b");
        scope.close();
        assertThat(source.get(VAR)).isEqualTo("a");
        assertThat(VAR.orElse(null)).isNull();
    }

    @Test
    @DisplayName("S7: a source entered on this thread is copied, not entered again: no 'already entered' refusal")
    void enterCopy_sourceAlreadyEntered_entersItsCopy() {
        Context source = new Context().with(VAR, "a");
        try (Scope outer = source.enter()) {
            Scope inner = Bridges.enterCopy(source);
            VAR.set("inner");
            inner.close();
            assertThat(VAR.get()).isEqualTo("a");
        }
    }

    @Test
    @DisplayName("S8: the copy's scope refuses a close on another thread and a second close, changing nothing")
    void enterCopy_closeElsewhereOrTwice_refusedUnchanged() {
        Scope scope = Bridges.enterCopy(new Context().with(VAR, "a"));
        Throwable elsewhere = CompletableFuture.runAsync(scope::close).handle((v, t) -> t).join();
        assertThat(elsewhere).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(elsewhere.getCause()).hasMessageContaining("was entered on thread");
        assertThat(VAR.get()).isEqualTo("a");
        scope.close();
        assertThatThrownBy(scope::close).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("is already closed");
        assertThat(VAR.orElse(null)).isNull();
    }

    @Test
    @DisplayName("S9: a null source is refused naming the parameter")
    void enterCopy_nullSource_refused() {
        assertThatThrownBy(() -> Bridges.enterCopy(null)).isExactlyInstanceOf(NullPointerException.class)
                .hasMessage("source");
        assertThat(Context.copyCurrent().isEmpty()).isTrue();
    }
}
