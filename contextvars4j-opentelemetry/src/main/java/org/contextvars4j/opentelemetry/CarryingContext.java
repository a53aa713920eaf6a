package org.contextvars4j.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * An OpenTelemetry context that also carries a snapshot of contextvars4j vars: what
 * {@link BridgeStorage#current()} returns when the current contextvars4j context holds vars, and
 * what {@link VarBaggagePropagator#extract} returns when it decoded some. Reads and
 * {@code with} go to the OpenTelemetry context; the snapshot rides along unchanged.
 */
final class CarryingContext implements Context {

    final Context otel;
    final org.contextvars4j.Context vars;

    CarryingContext(Context otel, org.contextvars4j.Context vars) {
        this.otel = otel;
        this.vars = vars;
    }

    /** {@return the OpenTelemetry part of {@code context}, without a snapshot} */
    static Context unwrap(Context context) {
        return context instanceof CarryingContext ? ((CarryingContext) context).otel : context;
    }

    /** {@return the vars {@code context} carries, else a copy of the current contextvars4j context} */
    static org.contextvars4j.Context varsOf(Context context) {
        return context instanceof CarryingContext
                ? ((CarryingContext) context).vars
                : org.contextvars4j.Context.copyCurrent();
    }

    @Override
    public <V> V get(ContextKey<V> key) {
        return otel.get(key);
    }

    @Override
    public <V> Context with(ContextKey<V> key, V value) {
        return new CarryingContext(otel.with(key, value), vars);
    }

    @Override
    public String toString() {
        return otel + " carrying " + vars;
    }
}
