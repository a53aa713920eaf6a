package org.contextvars4j.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.Objects;
import org.contextvars4j.ContextVar;

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

    /** {@return this context when {@code key} already maps to {@code value}, as OpenTelemetry's own contexts do} */
    @Override
    public <V> Context with(ContextKey<V> key, V value) {
        Context with = otel.with(key, value);
        return with == otel ? this : new CarryingContext(with, vars);
    }

    /**
     * {@return whether {@code o} is a carrying context with an equal OpenTelemetry part and the
     * same vars with equal values} The bridge's own var is left out: it is the OpenTelemetry part.
     * Never equal to a plain OpenTelemetry context, {@code Context.root()} included: this one
     * carries vars that the plain one would drop.
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof CarryingContext)) {
            return false;
        }
        CarryingContext other = (CarryingContext) o;
        return otel.equals(other.otel) && sameVars(vars, other.vars);
    }

    private static boolean sameVars(org.contextvars4j.Context a, org.contextvars4j.Context b) {
        if (BridgeStorage.ownVars(a) != BridgeStorage.ownVars(b)) {
            return false;
        }
        for (ContextVar<?> var : a.keySet()) {
            if (var != BridgeStorage.CURRENT
                    && (!b.containsKey(var) || !Objects.equals(a.get(var), b.get(var)))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (ContextVar<?> var : vars.keySet()) {
            if (var != BridgeStorage.CURRENT) {
                h += System.identityHashCode(var) ^ Objects.hashCode(vars.get(var));
            }
        }
        return 31 * otel.hashCode() + h;
    }

    @Override
    public String toString() {
        return otel + " carrying " + vars;
    }
}
