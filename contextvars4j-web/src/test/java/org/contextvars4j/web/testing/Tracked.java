package org.contextvars4j.web.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.contextvars4j.ScopedResource;
import org.contextvars4j.web.RequestVars;

/**
 * A request-scoped resource that remembers which request opened it and how often it was closed,
 * so that tests can check that the request scope closes it exactly once, at the end.
 */
public final class Tracked implements AutoCloseable {

    /** Opened on first use in a request's scope, closed when the request ends. */
    public static final ScopedResource<Tracked> RESOURCE = ScopedResource.of("tracked", Tracked::new);

    private static final Map<String, Tracked> OPENED = new ConcurrentHashMap<>();

    private final String requestId;
    private final AtomicInteger closes = new AtomicInteger();

    private Tracked() {
        this.requestId = RequestVars.REQUEST_ID.get();
        OPENED.put(requestId, this);
    }

    /** {@return the id of the request that opened it} */
    public String requestId() {
        return requestId;
    }

    /** {@return whether it was closed} */
    public boolean isClosed() {
        return closes.get() > 0;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    /**
     * Waits (up to 20 s: the scope may close just after the client has its response) until the
     * resource opened by request {@code id} was closed, and returns how often it was closed.
     *
     * @return the number of closes, or -1 when request {@code id} never opened one
     */
    public static int awaitClosed(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Tracked t = OPENED.get(id);
            if (t != null && t.isClosed()) {
                Thread.sleep(1);      // a second close, if any, would come right after the first
                return t.closes.get();
            }
            Thread.sleep(2);
        }
        Tracked t = OPENED.get(id);
        return t == null ? -1 : t.closes.get();
    }
}
