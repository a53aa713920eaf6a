package org.contextvars4j;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The registry of {@link ThreadLocalAccessor}s whose state is captured and restored together
 * with the context at every propagation point (P6).
 *
 * <p>When this class is first used, it loads the accessors provided through
 * {@link ServiceLoader} (using the class loader of {@link ThreadLocalAccessor}); a provider that
 * fails to load is skipped and logged at {@code ERROR} through {@link System.Logger}. Accessors
 * can then be added and removed in code. Order matters: values are installed in registration
 * order and put back in reverse order.
 *
 * <p>A hand-off captures the accessors registered at that moment: registering an accessor later
 * does not change work already handed off. All methods are thread-safe.
 *
 * @implNote The accessors are held in an immutable array replaced on every change (copy on
 * write). With none registered, a propagation point pays one static field read and an array
 * length check, and allocates nothing for the bridge.
 */
public final class ThreadLocalAccessors {

    private static final ThreadLocalAccessor<?>[] NONE = new ThreadLocalAccessor<?>[0];
    private static final Object LOCK = new Object();

    /** The registered accessors; never mutated, replaced on change. */
    private static volatile ThreadLocalAccessor<?>[] accessors = loadProvided();

    private ThreadLocalAccessors() {
    }

    /**
     * Registers {@code accessor} after the ones already registered. Registering an accessor that
     * is already registered (the same object) changes nothing.
     *
     * @param accessor the accessor
     * @throws NullPointerException if {@code accessor} is null
     */
    public static void register(ThreadLocalAccessor<?> accessor) {
        Objects.requireNonNull(accessor, "accessor");
        synchronized (LOCK) {
            ThreadLocalAccessor<?>[] current = accessors;
            if (indexOf(current, accessor) >= 0) {
                return;
            }
            ThreadLocalAccessor<?>[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = accessor;
            accessors = next;
        }
    }

    /**
     * Removes {@code accessor} (the same object) from the registry.
     *
     * @param accessor the accessor
     * @return whether it was registered
     * @throws NullPointerException if {@code accessor} is null
     */
    public static boolean unregister(ThreadLocalAccessor<?> accessor) {
        Objects.requireNonNull(accessor, "accessor");
        synchronized (LOCK) {
            ThreadLocalAccessor<?>[] current = accessors;
            int i = indexOf(current, accessor);
            if (i < 0) {
                return false;
            }
            ThreadLocalAccessor<?>[] next = new ThreadLocalAccessor<?>[current.length - 1];
            System.arraycopy(current, 0, next, 0, i);
            System.arraycopy(current, i + 1, next, i, current.length - i - 1);
            accessors = next.length == 0 ? NONE : next;
            return true;
        }
    }

    /**
     * Returns the registered accessors in registration order, as an unmodifiable snapshot.
     *
     * @return the accessors
     */
    public static List<ThreadLocalAccessor<?>> registered() {
        return List.of(accessors);
    }

    /** {@return the current registration array; callers must not modify it} */
    static ThreadLocalAccessor<?>[] current() {
        return accessors;
    }

    private static int indexOf(ThreadLocalAccessor<?>[] array, ThreadLocalAccessor<?> accessor) {
        for (int i = 0; i < array.length; i++) {
            if (array[i] == accessor) {
                return i;
            }
        }
        return -1;
    }

    private static ThreadLocalAccessor<?>[] loadProvided() {
        ThreadLocalAccessor<?>[] found = NONE;
        @SuppressWarnings("rawtypes")
        Iterator<ThreadLocalAccessor> it = ServiceLoader.load(ThreadLocalAccessor.class,
                ThreadLocalAccessor.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                ThreadLocalAccessor<?> a = it.next();
                found = Arrays.copyOf(found, found.length + 1);
                found[found.length - 1] = a;
            } catch (ServiceConfigurationError e) {
                System.getLogger(ThreadLocalAccessors.class.getName()).log(Level.ERROR,
                        "cannot load a ThreadLocalAccessor provider; it is skipped", e);
            }
        }
        return found;
    }
}
