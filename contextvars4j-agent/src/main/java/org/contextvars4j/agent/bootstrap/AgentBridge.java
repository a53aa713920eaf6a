package org.contextvars4j.agent.bootstrap;

import java.util.List;
import java.util.Objects;
import java.util.TimerTask;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Consumer;

/**
 * The static entry points that the agent's advice, inlined into JDK classes, calls.
 *
 * <h2>Class loaders</h2>
 * {@code ThreadPoolExecutor}, {@code CompletableFuture} and the other instrumented classes are
 * loaded by the bootstrap class loader, which cannot see the application's contextvars4j core.
 * So this class, on the bootstrap class path, holds a {@link ContextHook} in a static volatile
 * field. The field stays null, and every method here lets the work through unchanged, until the
 * core's storage class is initialized in some class loader: then the agent defines the hook's
 * implementation in that loader and publishes it here ({@link #coreLoaded}). No core, no
 * propagation, no cost beyond one volatile read.
 *
 * <p>Not for application use: the agent's own advice is the only caller.
 */
public final class AgentBridge {

    private static volatile ContextHook hook;
    private static volatile Consumer<Class<?>> installer;
    private static volatile String[] excludes = new String[0];

    /** Whether a class's name matches an exclude prefix; computed once per class. */
    private static final ClassValue<Boolean> EXCLUDED = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            for (String prefix : excludes) {
                if (name.startsWith(prefix)) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
    };

    /** Captures taken at {@code Thread.start()}, until the new thread takes its own (inheritThreadContext). */
    private static final java.util.Map<Thread, Object> STARTING = new java.util.concurrent.ConcurrentHashMap<>();

    private AgentBridge() {
    }

    /**
     * {@code Thread.start()} (only with the inheritThreadContext option): captures the caller's
     * context for the thread about to start.
     *
     * @param thread the thread being started
     */
    public static void threadStarting(Object thread) {
        Object captured = capture(thread);
        if (captured != null) {
            STARTING.put((Thread) thread, captured);
        }
    }

    /**
     * {@code Thread.start()} failed: forgets the capture.
     *
     * @param thread the thread that did not start
     */
    public static void threadNotStarted(Object thread) {
        STARTING.remove(thread);
    }

    /**
     * The new thread's {@code run}: enters a copy of its creator's context, if one was captured.
     *
     * @param thread the running thread
     * @return what to pass to {@link #exitInPool}, or null
     */
    public static Object threadRunning(Object thread) {
        Object captured = STARTING.isEmpty() ? null : STARTING.remove(thread);
        return captured == null ? null : enter(captured, thread);
    }

    /**
     * Called by the agent at start-up, before anything is instrumented.
     *
     * @param coreInstaller what defines the hook once a core is found
     * @param excludedPrefixes class-name prefixes of executors and tasks left alone
     */
    public static void configure(Consumer<Class<?>> coreInstaller, String[] excludedPrefixes) {
        installer = Objects.requireNonNull(coreInstaller, "coreInstaller");
        excludes = excludedPrefixes.clone();
    }

    /**
     * Called from the end of the core's storage class initializer (advice): defines and publishes
     * the hook for that core, unless one is published already.
     *
     * @param storage the core's storage class
     */
    public static void coreLoaded(Class<?> storage) {
        Consumer<Class<?>> i = installer;
        if (i != null) {
            i.accept(storage);
        }
    }

    /**
     * Publishes the hook, once.
     *
     * @param h the hook
     * @return whether it was published (false: another core's hook was first)
     */
    public static synchronized boolean publish(ContextHook h) {
        if (hook != null) {
            return false;
        }
        hook = h;
        return true;
    }

    /** {@return whether a core has been found and propagation is on} */
    public static boolean isActive() {
        return hook != null;
    }

    /**
     * Tells whether an executor or task is left alone (the {@code exclude} option).
     *
     * @param o an executor, a task, or a class
     * @return whether {@code o}'s class, or {@code o} itself when a class, is excluded
     */
    public static boolean isExcluded(Object o) {
        // No exclude option (the default): no per-class lookup at all on the hand-off path.
        return excludes.length != 0 && o != null && EXCLUDED.get(o instanceof Class<?> c ? c : o.getClass());
    }

    /**
     * Captures the current context for {@code task}.
     *
     * @param task the task the capture is for, or null
     * @return the capture, or null: no core yet, the task's class is excluded, or the task is one of the core's wrappers
     */
    public static Object capture(Object task) {
        ContextHook h = hook;
        if (h == null || isExcluded(task) || h.isWrapped(task)) {
            return null;
        }
        return h.capture();
    }

    /**
     * Enters a fresh copy of {@code captured}.
     *
     * @param captured a capture, or null (nothing happens)
     * @param task the task about to run
     * @return what to pass to {@link #exit}, or null
     */
    public static Object enter(Object captured, Object task) {
        ContextHook h;
        if (captured == null || (h = hook) == null) {
            return null;
        }
        return h.enter(captured, task);
    }

    /**
     * Enters a fresh copy of the current context (a borrow of it, until something is set).
     *
     * @return what to pass to {@link #exit}, or null
     */
    public static Object enterCopyOfCurrent() {
        ContextHook h = hook;
        return h == null ? null : h.enterCopyOfCurrent("a CompletableFuture stage");
    }

    /**
     * Leaves what {@link #enter} entered.
     *
     * @param entry the result of {@link #enter}, or null (nothing happens)
     * @param failure what the task threw, or null
     */
    public static void exit(Object entry, Throwable failure) {
        if (entry != null) {
            hook.exit(entry, failure);
        }
    }

    /**
     * Leaves what {@link #enter} entered inside a JDK worker loop, where a throw would break the
     * pool: a task that left a scope of its own open is reported instead (its thread's context
     * is restored either way).
     *
     * @param entry the result of {@link #enter}, or null
     * @param failure what the task threw, or null
     */
    public static void exitInPool(Object entry, Throwable failure) {
        if (entry == null) {
            return;
        }
        try {
            hook.exit(entry, failure);
        } catch (RuntimeException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                System.getLogger("org.contextvars4j.agent").log(System.Logger.Level.ERROR,
                        "a task left a context entered on " + Thread.currentThread().getName()
                        + "; the thread's context was restored", e);
            }
        }
    }

    /**
     * Whether {@code task} carries its own capture ({@link Captures}: a fork/join or timer task,
     * unless its class was loaded before the agent). Asked as two class checks first, not as
     * {@code instanceof Captures} alone: for the plain lambda of almost every hand-off, an
     * interface check that fails scans the lambda class's interfaces on every call on JDK 17
     * (JDK 23+ hashes them; measured: 17 ns of a 34 ns FutureTask hand-off), while a class check
     * is one comparison.
     */
    private static boolean carriesCapture(Object task) {
        return (task instanceof ForkJoinTask<?> || task instanceof TimerTask) && task instanceof Captures;
    }

    /**
     * Wraps a runnable handed to {@code executor} so that it runs in a copy of the current
     * context; returns it unchanged when it carries its own capture already (a
     * {@code FutureTask} or a {@code ForkJoinTask}, captured when created), is one of the core's
     * or the agent's wrappers, or when the executor or the task is excluded.
     *
     * @param executor the executor
     * @param task the task (null passes through, for the executor's own refusal)
     * @return what to hand to the executor
     */
    public static Runnable wrap(Object executor, Runnable task) {
        ContextHook h = hook;
        if (h == null || task == null || task instanceof CapturedRunnable || task instanceof FutureTask
                || carriesCapture(task) || h.isWrapped(task) || isExcluded(executor) || isExcluded(task)) {
            return task;
        }
        return new CapturedRunnable(task, h.capture());
    }

    /**
     * Wraps the callable a {@code FutureTask} was just created with; not when it was created
     * around another {@code FutureTask} or fork/join task (as {@code ExecutorCompletionService}
     * does), which made its own decision: captured, or excluded.
     *
     * @param callable the task's callable
     * @param original what the application passed (a {@code Callable} or a {@code Runnable})
     * @param <V> the result type
     * @return the callable the task keeps
     */
    public static <V> Callable<V> wrapCallable(Callable<V> callable, Object original) {
        ContextHook h = hook;
        if (h == null || callable == null || callable instanceof CapturedCallable || h.isWrapped(original)
                || original instanceof CapturedRunnable || original instanceof FutureTask
                || carriesCapture(original) || isExcluded(original)) {
            return callable;
        }
        return new CapturedCallable<>(callable, h.capture());
    }

    /**
     * Runs a {@code TimerTask} for the timer's thread (the call in {@code TimerThread.mainLoop}
     * is replaced by this one): each run in a fresh copy of the context captured when the task
     * was scheduled.
     *
     * @param task the timer task (a {@code Runnable}; typed {@code Object} so that the agent
     *        names no JDK class it instruments)
     */
    public static void runTimerTask(Object task) {
        Object entry = task instanceof Captures c ? enter(c.contextvars4j$captured(), task) : null;
        Throwable failure = null;
        try {
            ((Runnable) task).run();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            exitInPool(entry, failure);
        }
    }

    /**
     * Puts the application's runnables back in a list returned by {@code shutdownNow()}.
     *
     * @param tasks the list
     */
    public static void unwrapAll(List<Runnable> tasks) {
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i) instanceof CapturedRunnable c) {
                tasks.set(i, c.task);
            }
        }
    }

    /**
     * Finds the wrapper a queue holds for {@code task}, for {@code remove(task)}.
     *
     * @param executor the executor (a {@code ThreadPoolExecutor}: the advice names no JDK type,
     *        which would load the class it is instrumenting)
     * @param task the application's runnable
     * @return the wrapper, or {@code task} itself when none is queued
     */
    public static Runnable queued(Object executor, Runnable task) {
        if (task == null || task instanceof CapturedRunnable) {
            return task;
        }
        for (Runnable r : ((ThreadPoolExecutor) executor).getQueue()) {
            if (r instanceof CapturedRunnable c && c.task == task) {
                return c;
            }
        }
        return task;
    }
}
