package org.contextvars4j;

/*
 * Bridge: the foreign thread-local state captured with a context at one hand-off (P6).
 *
 * capture() runs on the thread that creates the hand-off and returns null when no accessor is
 * registered, so the common case allocates nothing. install() runs on the worker before the
 * context is entered: it saves the worker's own values (returned) and installs the captured ones
 * in registration order. uninstall() runs after the context was exited and puts the saved values
 * back in reverse order (LIFO), every accessor even when one throws; the first exception is
 * rethrown after all were restored.
 */
final class Bridge {

    private final ThreadLocalAccessor<Object>[] accessors;
    private final Object[] values;

    private Bridge(ThreadLocalAccessor<Object>[] accessors, Object[] values) {
        this.accessors = accessors;
        this.values = values;
    }

    /** {@return the calling thread's bridged state, or null when no accessor is registered} */
    static Bridge capture() {
        ThreadLocalAccessor<?>[] registered = ThreadLocalAccessors.current();
        return registered.length == 0 ? null : captureSlow(registered);
    }

    @SuppressWarnings("unchecked")
    private static Bridge captureSlow(ThreadLocalAccessor<?>[] registered) {
        ThreadLocalAccessor<Object>[] accessors = (ThreadLocalAccessor<Object>[]) registered;
        Object[] values = new Object[accessors.length];
        for (int i = 0; i < accessors.length; i++) {
            values[i] = accessors[i].capture();
        }
        return new Bridge(accessors, values);
    }

    /** Installs the captured values on the calling thread; {@return the values they replaced} */
    Object[] install() {
        Object[] saved = new Object[accessors.length];
        int i = 0;
        try {
            for (; i < accessors.length; i++) {
                saved[i] = accessors[i].capture();
                set(accessors[i], values[i]);
            }
        } catch (RuntimeException | Error e) {
            // undo what was installed so far, then fail the hand-off
            restore(saved, i);
            throw e;
        }
        return saved;
    }

    /** Puts back the values {@link #install()} replaced, last accessor first. */
    void uninstall(Object[] saved) {
        restore(saved, accessors.length);
    }

    private void restore(Object[] saved, int count) {
        Throwable first = null;
        for (int i = count - 1; i >= 0; i--) {
            try {
                set(accessors[i], saved[i]);
            } catch (RuntimeException | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first != null) {
            throw (Error) first;
        }
    }

    private static void set(ThreadLocalAccessor<Object> accessor, Object value) {
        if (value == null) {
            accessor.reset();
        } else {
            accessor.restore(value);
        }
    }
}
