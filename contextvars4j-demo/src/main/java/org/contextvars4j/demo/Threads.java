package org.contextvars4j.demo;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories, and virtual threads where the JDK has them (found by reflection: the demo compiles for 17). */
final class Threads {

    private Threads() {
    }

    /** Whether this JDK has virtual threads (21+). */
    static boolean virtual() {
        return Runtime.version().feature() >= 21;
    }

    /** One new thread per task: virtual on JDK 21+, platform daemon threads on 17. */
    static ThreadFactory perTask(String prefix) {
        if (virtual()) {
            try {
                Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
                Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
                builder = ofVirtual.getMethod("name", String.class, long.class).invoke(builder, prefix, 0L);
                Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
                return (ThreadFactory) factory.invoke(builder);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create virtual threads on JDK " + Runtime.version(), e);
            }
        }
        return named(prefix);
    }

    /** Platform daemon threads named prefix0, prefix1, ... */
    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /** A fixed pool of named platform daemon threads. */
    static ExecutorService fixedPool(String prefix, int threads) {
        return Executors.newFixedThreadPool(threads, named(prefix));
    }
}
