package org.contextvars4j;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/*
 * Binding: on JDK 25+, the context entered by Context.run, call and supply also carried in a
 * ScopedValue binding, so that a read inside asks the binding (a per-thread cache probe) instead
 * of the ThreadLocal (a hash-table lookup). See Storage for the whole read path and
 * docs/benchmarks.md ("Issue 26 item 1") for what it wins and costs.
 *
 * Reached through method handles, not through the API itself: the core is compiled at release
 * 17, where ScopedValue does not exist. The handles are static finals, so C2 inlines them like
 * direct calls (measured: the same read cost as a direct ScopedValue call), and on JDK 17-24 ON
 * is a constant false that removes every use.
 *
 * Invariant (with Context.covered): the binding is an accelerator, never the truth. Every entry
 * still goes through Storage.setCurrent, so the ThreadLocal (or the OwnedThread field) always
 * holds the current context. A read may use the bound context c only when c is current on the
 * reading thread, which is exactly when
 *     c.owner == this thread   (c was bound by this thread: a context is entered on one thread
 *                               at a time (S7), and stays entered for the whole binding; a
 *                               thread that inherited the binding, a StructuredTaskScope fork,
 *                               sees its parent as owner and falls back to its own ThreadLocal)
 *     and !c.covered           (nothing was made current on top of c: enter(), a coroutine's
 *                               switchTo, a hand-off's private copy; cleared when that is left).
 *
 * Opt-in: on only with -Dcontextvars4j.scopedValues=on (on JDK 25+). Measured on a loaded 2-core
 * machine (docs/benchmarks.md, "Issue 26 item 1"), the binding sped reads inside Context.run up
 * in some runs and not in others, while it made every read outside a binding (enter() scopes,
 * executor tasks, the base context) about 1 ns slower and Context.run about twice as slow with
 * 56 B more: no clear net win, so the default stays the JDK 17 path, where ON is a constant
 * false and the JIT removes every use. The core's tests run the whole suite with it on and the
 * CPython differential, rule and propagation tests again with it off, on JDK 25.
 */
final class Binding {

    /** Whether structured entries bind the context: JDK 25+ and -Dcontextvars4j.scopedValues=on. */
    static final boolean ON;

    /** What a read gets where nothing is bound: never readable (no owner). */
    private static final Context NONE = new Context();

    /** The {@code ScopedValue<Context>}, typed Object so that this class compiles at release 17. */
    private static final Object KEY;
    /** {@code (ScopedValue, Object) -> Object}: {@code ScopedValue.orElse}. */
    private static final MethodHandle OR_ELSE;
    /** {@code (ScopedValue, Object) -> Object}: {@code ScopedValue.where}, the carrier. */
    private static final MethodHandle WHERE;
    /** {@code (Carrier, Runnable) -> void}: {@code ScopedValue.Carrier.run}. */
    private static final MethodHandle RUN;

    static {
        boolean on = enabled(System.getProperty("contextvars4j.scopedValues", "off"))
                && Runtime.version().feature() >= 25;
        Object key = null;
        MethodHandle orElse = null;
        MethodHandle where = null;
        MethodHandle run = null;
        if (on) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> scopedValue = Class.forName("java.lang.ScopedValue");
                Class<?> carrier = Class.forName("java.lang.ScopedValue$Carrier");
                key = lookup.findStatic(scopedValue, "newInstance", MethodType.methodType(scopedValue)).invoke();
                orElse = lookup.findVirtual(scopedValue, "orElse", MethodType.methodType(Object.class, Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class, Object.class));
                where = lookup.findStatic(scopedValue, "where", MethodType.methodType(carrier, scopedValue, Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class, Object.class));
                run = lookup.findVirtual(carrier, "run", MethodType.methodType(void.class, Runnable.class))
                        .asType(MethodType.methodType(void.class, Object.class, Runnable.class));
            } catch (Throwable e) {
                throw new ExceptionInInitializerError(e);
            }
        }
        ON = on;
        KEY = key;
        OR_ELSE = orElse;
        WHERE = where;
        RUN = run;
    }

    private Binding() {
    }

    /**
     * {@return whether the value of the system property turns the binding on}: a bad value is
     * logged and leaves it off (the default), as a bad contextvars4j.leakDetection does, so that
     * a typo cannot break every read with a failed class initialization
     */
    static boolean enabled(String property) {
        return switch (property.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false", "" -> false;
            default -> {
                System.getLogger(Binding.class.getName()).log(System.Logger.Level.ERROR,
                        "bad system property contextvars4j.scopedValues: " + property
                        + " (expected on or off); the binding stays off");
                yield false;
            }
        };
    }

    /**
     * {@return the bound context when it is the current context of the calling thread, else null}
     * (then the ThreadLocal has it). Only when {@link #ON}.
     */
    static Context readable() {
        Context c;
        try {
            c = (Context) (Object) OR_ELSE.invokeExact(KEY, (Object) NONE);
        } catch (Throwable t) {
            throw new AssertionError(t);            // orElse throws nothing for a non-null fallback
        }
        return c.readableOn(Thread.currentThread()) ? c : null;
    }

    /** Runs {@code action} with {@code context}, entered on this thread, bound. Only when {@link #ON}. */
    static void run(Context context, Runnable action) {
        Object carrier;
        try {
            carrier = (Object) WHERE.invokeExact(KEY, (Object) context);
        } catch (Throwable t) {
            throw new AssertionError(t);            // where throws nothing for non-null arguments
        }
        try {
            RUN.invokeExact(carrier, action);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Binding.<RuntimeException>sneaky(t);  // a checked exception thrown sneakily by the action
        }
    }

    /** {@link Context#call} inside the binding: the action's result and exceptions pass through unchanged. */
    static <V> V call(Context context, Callable<V> action) throws Exception {
        Outcome<V> outcome = new Outcome<>(action, null);
        run(context, outcome);
        if (outcome.failure != null) {
            throw outcome.failure;
        }
        return outcome.result;
    }

    /** {@link Context#supply} inside the binding. */
    static <V> V supply(Context context, Supplier<V> action) {
        Outcome<V> outcome = new Outcome<>(null, action);
        run(context, outcome);
        return outcome.result;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** A callable or supplier as the Runnable that {@code Carrier.run} takes, keeping its outcome. */
    private static final class Outcome<V> implements Runnable {
        private final Callable<V> callable;
        private final Supplier<V> supplier;
        V result;
        Exception failure;

        Outcome(Callable<V> callable, Supplier<V> supplier) {
            this.callable = callable;
            this.supplier = supplier;
        }

        @Override
        public void run() {
            if (supplier != null) {
                result = supplier.get();
                return;
            }
            try {
                result = callable.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                failure = e;                        // rethrown unchanged by call, outside the binding
            }
        }
    }
}
