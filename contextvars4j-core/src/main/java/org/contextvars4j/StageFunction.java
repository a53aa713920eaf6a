package org.contextvars4j;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.contextvars4j.internal.VarMap;

/**
 * One {@link ContextCompletableFuture} stage's function, wrapped with the context captured when
 * the stage was registered (P4). One class serves every functional shape, so that every stage
 * kind goes through the same, monomorphic code ({@link BiFunction} alone lives in
 * {@link StageBiFunction}: its {@code andThen} clashes with {@link Function}'s). Each call runs in
 * a fresh context over the captured map (see {@link Propagation}).
 */
// "overloads": JDK 25's javac warns that Function.andThen and Consumer.andThen could be
// ambiguous for a caller of this class. Nobody calls andThen on it: it is handed to
// CompletableFuture as one functional type at a time.
@SuppressWarnings({"unchecked", "overloads"})
final class StageFunction<A, B, R> implements Function<A, R>, Consumer<A>, BiConsumer<A, B>, Supplier<R>, Runnable {

    private final Object[] map;
    private final Bridge bridge;
    private final Object fn;

    StageFunction(Object fn) {
        this.map = Storage.currentMap();
        this.bridge = Bridge.capture();
        this.fn = fn;
    }

    @Override
    public R apply(A a) {
        Object entry = Propagation.enterCopy(map, bridge, fn);
        Throwable failure = null;
        try {
            return ((Function<A, R>) fn).apply(a);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
    }

    @Override
    public void accept(A a) {
        Object entry = Propagation.enterCopy(map, bridge, fn);
        Throwable failure = null;
        try {
            ((Consumer<A>) fn).accept(a);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
    }

    @Override
    public void accept(A a, B b) {
        Object entry = Propagation.enterCopy(map, bridge, fn);
        Throwable failure = null;
        try {
            ((BiConsumer<A, B>) fn).accept(a, b);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
    }

    @Override
    public R get() {
        Object entry = Propagation.enterCopy(map, bridge, fn);
        Throwable failure = null;
        try {
            return ((Supplier<R>) fn).get();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
    }

    @Override
    public void run() {
        Object entry = Propagation.enterCopy(map, bridge, fn);
        Throwable failure = null;
        try {
            ((Runnable) fn).run();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
    }

    @Override
    public String toString() {
        return "StageFunction[" + fn + "]";
    }
}
