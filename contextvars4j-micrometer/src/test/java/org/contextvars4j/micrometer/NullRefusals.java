package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.context.ThreadLocalAccessor;
import org.contextvars4j.Context;

/** The S9 checks both accessors share: null values are refused, naming the parameter, and change nothing. */
final class NullRefusals {

    private NullRefusals() {
    }

    static <T> void assertNullValuesRefused(ThreadLocalAccessor<T> accessor) {
        assertThatThrownBy(() -> accessor.setValue(null))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("value");
        assertThatThrownBy(() -> accessor.restore(null))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("previousValue");
        assertThat(ThreadFrames.current().depth()).isZero();
        assertThat(Context.copyCurrent().isEmpty()).isTrue();
    }
}
