package org.contextvars4j;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The results of one memoizer in one {@link RequestScope}: a concurrent map with a bound on the
 * number of entries. Values are the memoizer's business (a result, an in-flight marker, a
 * future); this class only counts them. Keys are masked so that null is a legal key.
 */
final class ScopeCache {

    /** Stands for a null key or a null result in the map. */
    static final Object NULL = new Object();

    final ConcurrentHashMap<Object, Object> map = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int maxSize;

    ScopeCache(int maxSize) {
        this.maxSize = maxSize;
    }

    /** {@return whether one more entry fits; if so, it is counted until {@link #release()}} */
    boolean reserve() {
        if (size.incrementAndGet() > maxSize) {
            size.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Uncounts an entry reserved but not kept (a lost race, a failure). */
    void release() {
        size.decrementAndGet();
    }

    static Object mask(Object o) {
        return o == null ? NULL : o;
    }

    static Object unmask(Object o) {
        return o == NULL ? null : o;
    }

    /** Checks a memoizer's bound argument. */
    static int checkMaxSize(int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1, not " + maxSize);
        }
        return maxSize;
    }

    /** {@return the cache of {@code memoizer} in the bound scope; refuses outside an open scope} */
    static ScopeCache of(Object memoizer, int id, Function<RequestScope, ScopeCache> newCache) {
        RequestScope scope = RequestScope.bound();
        if (scope == null) {
            throw new IllegalStateException(memoizer + " used outside a request scope: open one with "
                    + "RequestScope.run, call or open");
        }
        if (!scope.isOpen()) {
            throw new IllegalStateException(memoizer + " used after " + scope + " has ended");
        }
        return scope.state(memoizer, id, newCache);
    }
}
