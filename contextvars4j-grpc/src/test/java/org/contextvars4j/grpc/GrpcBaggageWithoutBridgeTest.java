package org.contextvars4j.grpc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.contextvars4j.opentelemetry.VarBaggagePropagator;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Run in a JVM of its own with {@code -Dio.opentelemetry.context.contextStorageProvider=default}:
 * OpenTelemetry's storage is its thread-local one, so extracted vars could never be set.
 */
@ExtendWith(ContextLeakGuard.class)
class GrpcBaggageWithoutBridgeTest {

    @Test
    void of_openTelemetryStorageIsNotTheBridge_refusedNamingTheStorage() {
        VarBaggagePropagator propagator = VarBaggagePropagator.builder().build();
        assertThatThrownBy(() -> GrpcBaggage.of(propagator))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("OpenTelemetry's context storage is not the contextvars4j bridge (")
                .hasMessageContaining("ContextVarsStorageProvider");
    }

    @Test
    void of_null_refusedNamingTheParameter() {
        assertThatThrownBy(() -> GrpcBaggage.of(null)).isInstanceOf(NullPointerException.class).hasMessage("propagator");
    }
}
