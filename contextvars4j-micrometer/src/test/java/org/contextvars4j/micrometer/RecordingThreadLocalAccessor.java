package org.contextvars4j.micrometer;

import io.micrometer.context.ThreadLocalAccessor;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.contextvars4j.ContextVar;

/**
 * A plain {@code ThreadLocal} registered with Micrometer next to {@link ContextThreadLocalAccessor},
 * as an application registers a security holder or a tenant id. It records, when Micrometer sets
 * and restores it, what {@code observed} reads at that moment: registered after the contextvars4j
 * accessor, it is set after the context is installed and restored before the context is left
 * (LIFO), so it must see the task's value both times.
 */
final class RecordingThreadLocalAccessor implements ThreadLocalAccessor<String> {

    static final ThreadLocal<String> TENANT = new ThreadLocal<>();

    final String key;
    final ContextVar<String> observed;
    /** "set:&lt;tenant&gt;=&lt;observed&gt;" and "restore:&lt;tenant&gt;=&lt;observed&gt;", in call order per thread. */
    final Queue<String> events = new ConcurrentLinkedQueue<>();
    final AtomicLong restores = new AtomicLong();

    RecordingThreadLocalAccessor(String key, ContextVar<String> observed) {
        this.key = key;
        this.observed = observed;
    }

    @Override
    public Object key() {
        return key;
    }

    @Override
    public String getValue() {
        return TENANT.get();
    }

    @Override
    public void setValue(String value) {
        TENANT.set(value);
        events.add("set:" + value + "=" + observed.orElse(null));
    }

    @Override
    public void setValue() {
        TENANT.remove();
    }

    @Override
    public void restore(String previousValue) {
        events.add("restore:" + TENANT.get() + "=" + observed.orElse(null));
        restores.incrementAndGet();
        TENANT.set(previousValue);
    }

    @Override
    public void restore() {
        events.add("restore:" + TENANT.get() + "=" + observed.orElse(null));
        restores.incrementAndGet();
        TENANT.remove();
    }
}
