package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("ContextVarAccessor shows a foreign context entry as a ContextVar")
class ContextVarAccessorTest {

    private static final ContextVar<String> TENANT = ContextVar.of("tenant", "none");

    private final ContextVarAccessor<String> accessor = ContextVarAccessor.of("tenantId", TENANT);

    @Test
    @DisplayName("S2: getValue is the var's value in the current context, null when absent (the default is not captured)")
    void getValue_absentOrSet_nullOrValue() {
        assertThat(accessor.key()).isEqualTo("tenantId");
        assertThat(accessor.var()).isSameAs(TENANT);
        assertThat(accessor.getValue()).isNull();
        try (Token<String> t = TENANT.set("acme")) {
            assertThat(accessor.getValue()).isEqualTo("acme");
        }
        assertThat(accessor).hasToString("ContextVarAccessor[tenantId -> " + TENANT + "]");
    }

    @Test
    @DisplayName("S5: setValue sets the var, restore resets it with the token: absent again when it was absent")
    void setValueThenRestore_absentBefore_absentAfter() {
        accessor.setValue("acme");
        assertThat(TENANT.get()).isEqualTo("acme");
        accessor.restore();
        assertThat(Context.copyCurrent().containsKey(TENANT)).isFalse();
        assertThat(ThreadFrames.current().depth()).isZero();
    }

    @Test
    @DisplayName("S5: restore puts back the value the var had before setValue")
    void setValueThenRestore_valueBefore_valueAfter() {
        try (Token<String> t = TENANT.set("before")) {
            accessor.setValue("acme");
            assertThat(TENANT.get()).isEqualTo("acme");
            accessor.restore("before");
            assertThat(TENANT.get()).isEqualTo("before");
        }
    }

    @Test
    @DisplayName("P6: setValue() leaves the var as it is (a var cannot be removed), restore() changes nothing")
    void setValueEmpty_varUnchanged() {
        try (Token<String> t = TENANT.set("kept")) {
            accessor.setValue();
            assertThat(TENANT.get()).isEqualTo("kept");
            accessor.restore();
            assertThat(TENANT.get()).isEqualTo("kept");
        }
        assertThat(ThreadFrames.current().depth()).isZero();
    }

    @Test
    @DisplayName("S8: restore without a matching setValue is refused and changes nothing")
    void restore_nothingOpen_refusedUnchanged() {
        assertThatThrownBy(() -> accessor.restore("x"))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("cannot restore: ContextVarAccessor[tenantId -> " + TENANT + "] has no open setValue on thread "
                        + Thread.currentThread().getName());
        assertThat(Context.copyCurrent().isEmpty()).isTrue();
    }

    @Test
    @DisplayName("S9: null key, var and values are refused naming the parameter, and change nothing")
    void nullArguments_refusedUnchanged() {
        assertThatThrownBy(() -> ContextVarAccessor.of(null, TENANT))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> ContextVarAccessor.of("k", null))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("var");
        NullRefusals.assertNullValuesRefused(accessor);
    }
}
