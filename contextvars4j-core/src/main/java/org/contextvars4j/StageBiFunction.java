package org.contextvars4j;

import java.util.function.BiFunction;
import org.contextvars4j.internal.VarMap;

/** The {@link BiFunction} form of {@link StageFunction} ({@code thenCombine}, {@code handle}). */
final class StageBiFunction<A, B, R> implements BiFunction<A, B, R> {

    private final Object[] map;
    private final Bridge bridge;
    private final BiFunction<A, B, R> fn;

    StageBiFunction(BiFunction<A, B, R> fn) {
        this.map = Storage.currentMap();
        this.bridge = Bridge.capture();
        this.fn = fn;
    }

    @Override
    public R apply(A a, B b) {
        Object entry = Propagation.enterCopy(map, bridge, fn);
        Throwable failure = null;
        try {
            return fn.apply(a, b);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
    }

    @Override
    public String toString() {
        return "StageBiFunction[" + fn + "]";
    }
}
