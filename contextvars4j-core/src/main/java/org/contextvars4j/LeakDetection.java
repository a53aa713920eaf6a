package org.contextvars4j;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opt-in detection of context state that outlives the work that created it.
 *
 * <h2>What is checked</h2>
 * While detection is on, every task that contextvars4j runs at a propagation point (a task of a
 * {@linkplain Context#wrap(Runnable) wrapped} runnable or callable, a {@link ContextExecutors}
 * executor, a {@link ContextThreads} thread, a {@link ContextCompletableFuture} stage, a
 * {@link ContextRecursiveTask}) is checked when it starts and when it ends, however it ends:
 * <ul>
 *   <li>{@link Kind#BASE_CONTEXT_NOT_EMPTY}, when it starts: the thread's own base context (the
 *       one current when no context is entered) holds values. On a pooled thread that is the leak
 *       that hurts: a value {@code set} there by an unwrapped task, or by code that never reset
 *       its token, is seen by every later unwrapped task on that thread. Wrapped tasks are not
 *       affected (they run in their own copy), so this is reported, once per thread, and nothing
 *       is changed.</li>
 *   <li>{@link Kind#SCOPE_NOT_CLOSED}, when it ends: a scope opened by the task is still open.
 *       The thread is repaired whether detection is on or not: the contexts left entered are
 *       exited, the worker's previous context becomes current again, and the task fails with the
 *       {@link IllegalStateException} of {@link Context#run(Runnable)}.</li>
 *   <li>{@link Kind#TOKEN_NOT_RESET}, when it ends, only if switched on with
 *       {@link #reportTokensInTasks(boolean)}: a token created in the task's own context copy
 *       was never reset. That is harmless, because the copy is dropped when the task ends and the
 *       value reaches neither the worker nor the submitter; the memoization pattern
 *       ({@code if (!CACHE.isSet()) CACHE.set(compute())}) does it on purpose. Switch it on to
 *       find code that was meant to reset. (Tasks of {@link ContextThreads#start(Context, Runnable)},
 *       which run in a given context on purpose, are never checked for tokens.)</li>
 * </ul>
 * A report names the task (its {@code toString()}, its class, or for a lambda the class that
 * declares it) and the thread. A scope or token report carries the stack where the scope or token
 * was created, starting at the user's frame, when that creation was <em>sampled</em>: one
 * creation in {@code sampleInterval} (chosen at random) pays for a stack capture, the others are
 * reported without a stack.
 *
 * <h2>Switching it on</h2>
 * With the system property {@code -Dcontextvars4j.leakDetection=MODE}, read once when this class
 * is initialized: {@code off} (the default), {@code sampled} (stacks for 1 in 64 creations),
 * {@code full} (a stack for every creation) or a number {@code N} (stacks for 1 in N); any other
 * value is logged at {@code ERROR} and leaves detection off. In code, with {@link #enable(int)}
 * and {@link #disable()}; switch at startup: threads already running hot code may see the change
 * late. Reports go to the {@linkplain #setListener listener}; the default logs each at
 * {@code WARNING} through {@link System.Logger} (logger name
 * {@code org.contextvars4j.LeakDetection}).
 *
 * <h2>Counting reports</h2>
 * Every report is also counted, per kind, before it reaches the listener, whichever listener is
 * set: {@link #reportCount(Kind)} reads the count, so that metrics can observe reports without
 * taking the one listener slot.
 *
 * @implNote Off, {@link ContextVar#set} and {@link Context#enter()} pay one read of a plain static
 * boolean, and a propagation point another. On, each task start reads the thread's current
 * context (the base-context check), each task allocates a small record, each {@code enter} inside
 * a task (and each {@code set}, when tokens are reported) appends to it, and sampled creations
 * capture a stack (a few microseconds).
 */
public final class LeakDetection {

    /** The kinds of leak. */
    public enum Kind {
        /**
         * A token created in a task's own context copy was not reset before the task ended;
         * reported only after {@link #reportTokensInTasks(boolean) reportTokensInTasks(true)}.
         */
        TOKEN_NOT_RESET,
        /** A scope opened in a task was not closed before the task ended. */
        SCOPE_NOT_CLOSED,
        /**
         * A thread's base context held values when a task started on it: something set a var on
         * the thread itself and did not reset it. Reported once per thread.
         */
        BASE_CONTEXT_NOT_EMPTY
    }

    /** Receives leak reports; called on the thread where the task ended. Must be thread-safe. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Called once per leaked token or scope.
         *
         * @param leak the report
         */
        void onLeak(Leak leak);
    }

    /** One leaked token or scope. Immutable. */
    public static final class Leak {
        private final Kind kind;
        private final String description;
        private final Throwable creationSite;
        private final String threadName;

        private Leak(Kind kind, String description, Throwable creationSite, String threadName) {
            this.kind = kind;
            this.description = description;
            this.creationSite = creationSite;
            this.threadName = threadName;
        }

        /** {@return what leaked} */
        public Kind kind() {
            return kind;
        }

        /** {@return a sentence naming the token or scope and the task} */
        public String description() {
            return description;
        }

        /**
         * Returns a throwable whose stack trace is where the token or scope was created, starting
         * at the user's frame, or null when that creation was not sampled or the report has no
         * single creation ({@link Kind#BASE_CONTEXT_NOT_EMPTY}).
         *
         * @return the creation site, or null
         */
        public Throwable creationSite() {
            return creationSite;
        }

        /** {@return the name of the thread the task ran on} */
        public String threadName() {
            return threadName;
        }

        /** {@return the kind and the description} */
        @Override
        public String toString() {
            return kind + ": " + description;
        }
    }

    private static final Listener LOGGING = leak -> System.getLogger(LeakDetection.class.getName())
            .log(Level.WARNING, leak.toString(), leak.creationSite());

    /** Read on the set/enter hot path: a plain static, see the class's implNote. */
    static boolean active;
    private static volatile int sampleInterval = 64;
    private static volatile Listener listener = LOGGING;
    /** Whether tokens left unreset in a task's own copy are reported (off by default: harmless). */
    private static volatile boolean reportTokens;
    /** Reports so far, per {@link Kind#ordinal()}; written only when a report is made. */
    private static final LongAdder[] COUNTS = newCounts();
    /** Set on a thread once its base context was reported, so each thread is reported once. */
    private static final ThreadLocal<Boolean> BASE_REPORTED = new ThreadLocal<>();
    /** The record of the task running on this thread, while detection is on. */
    private static final ThreadLocal<Tracker> TRACKER = new ThreadLocal<>();

    static {
        configure(System.getProperty("contextvars4j.leakDetection", "off"));
    }

    private LeakDetection() {
    }

    /** Applies the value of the system property; see the class javadoc. Package-private for tests. */
    static void configure(String property) {
        String mode = property.trim().toLowerCase(Locale.ROOT);
        if (mode.isEmpty()) {
            return;
        }
        switch (mode) {
            case "off", "false" -> { }
            case "sampled", "on", "true" -> enable(64);
            case "full" -> enable(1);
            default -> {
                int n;
                try {
                    n = Integer.parseInt(mode);
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 1) {
                    // a bad switch must not break every ContextVar.set with a failed class init
                    System.getLogger(LeakDetection.class.getName()).log(Level.ERROR,
                            "bad system property contextvars4j.leakDetection: " + mode
                            + " (expected off, sampled, full or a positive sample interval); leak detection stays off");
                    return;
                }
                enable(n);
            }
        }
    }

    /**
     * Switches detection on.
     *
     * @param sampleInterval capture the creation stack of one token or scope in this many
     *        ({@code 1}: every one)
     * @throws IllegalArgumentException if {@code sampleInterval} is below 1
     */
    public static void enable(int sampleInterval) {
        if (sampleInterval < 1) {
            throw new IllegalArgumentException("sampleInterval must be at least 1: " + sampleInterval);
        }
        LeakDetection.sampleInterval = sampleInterval;
        active = true;
    }

    /** Switches detection off. Tasks already running finish their check. */
    public static void disable() {
        active = false;
    }

    /** {@return whether detection is on} */
    public static boolean isEnabled() {
        return active;
    }

    /**
     * Switches the {@link Kind#TOKEN_NOT_RESET} reports on or off (off by default). A token left
     * unreset in a task's own context copy does no harm, since the copy is dropped when the task
     * ends; report them to find code that was meant to reset its tokens.
     *
     * @param report whether to report them
     */
    public static void reportTokensInTasks(boolean report) {
        reportTokens = report;
    }

    /**
     * Returns how many reports of {@code kind} were made since this class was initialized (in
     * this class loader), whatever listener received them, including reports a listener failed on.
     *
     * @param kind the kind of leak
     * @return the count, never decreasing
     * @throws NullPointerException if {@code kind} is null
     * @implNote A {@link LongAdder} per kind, incremented only when a report is made: counting
     * adds nothing to {@code set}, {@code enter} or a task without leaks.
     */
    public static long reportCount(Kind kind) {
        return COUNTS[Objects.requireNonNull(kind, "kind").ordinal()].sum();
    }

    private static LongAdder[] newCounts() {
        LongAdder[] counts = new LongAdder[Kind.values().length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        return counts;
    }

    /**
     * Sets where reports go.
     *
     * @param listener the listener, or null for the default that logs through
     *        {@link System.Logger}
     */
    public static void setListener(Listener listener) {
        LeakDetection.listener = listener == null ? LOGGING : listener;
    }

    // ---- hooks (package-private) ----------------------------------------------------------

    /** Called by {@link ContextVar#set} and {@link Context#enter()} when {@link #active}. */
    static void onCreate(Object tokenOrScope) {
        Tracker t = TRACKER.get();
        if (t != null && (reportTokens || !(tokenOrScope instanceof Token<?>))) {
            int n = sampleInterval;
            boolean sample = n == 1 || ThreadLocalRandom.current().nextInt(n) == 0;
            if (t.entries == null) {
                t.entries = new ArrayList<>(8);
            }
            t.entries.add(tokenOrScope);
            t.entries.add(sample ? CallerSite.of(tokenOrScope + " was created here") : null);
        }
    }

    /** Starts recording for a task about to run in {@code context}; {@return the tracker to pass to {@link #end}} */
    static Tracker begin(Context context, boolean checkTokens, Object task) {
        checkBaseContext(task);
        Tracker t = new Tracker(context, checkTokens, task, TRACKER.get());
        TRACKER.set(t);
        return t;
    }

    /**
     * Reports, once per thread, a base context that holds values when a task starts. The base
     * context is the thread's current context when none is entered; any other current context
     * belongs to some {@code run}, scope or coroutine in progress (a task run by its caller, for
     * instance), not a leak.
     */
    private static void checkBaseContext(Object task) {
        Context current = Storage.currentOrNull();
        if (current == null || current.baseOf == null || current.isEmpty() || BASE_REPORTED.get() != null) {
            return;
        }
        BASE_REPORTED.set(Boolean.TRUE);
        Thread thread = Thread.currentThread();
        report(listener, new Leak(Kind.BASE_CONTEXT_NOT_EMPTY, "thread " + thread.getName()
                + " has values in its own base context when task " + Propagation.describe(task) + " starts: "
                + current + "; a var was set on this thread outside any task's copy (an unwrapped task, or a token "
                + "never reset) and later unwrapped work on this thread sees it; reported once per thread",
                null, thread.getName()));
    }

    /** Ends recording after the task's context was exited and reports what leaked. */
    static void end(Tracker t) {
        if (t.outer == null) {
            TRACKER.remove();
        } else {
            TRACKER.set(t.outer);
        }
        ArrayList<Object> entries = t.entries;
        if (entries == null) {
            return;
        }
        Listener l = listener;
        String thread = Thread.currentThread().getName();
        for (int i = 0; i < entries.size(); i += 2) {
            Object item = entries.get(i);
            Throwable site = (Throwable) entries.get(i + 1);
            if (item instanceof Token<?> token) {
                if (t.checkTokens && !token.used && token.context == t.context) {
                    report(l, new Leak(Kind.TOKEN_NOT_RESET, token + " (" + token.var + ") was not reset before task "
                            + Propagation.describe(t.task) + " ended", site, thread));
                }
            } else if (item instanceof Scope scope && !scope.isClosed()) {
                report(l, new Leak(Kind.SCOPE_NOT_CLOSED, scope + " was not closed before task " + Propagation.describe(t.task)
                        + " ended; the context was exited by force", site, thread));
            }
        }
    }

    private static void report(Listener l, Leak leak) {
        COUNTS[leak.kind.ordinal()].increment();
        try {
            l.onLeak(leak);
        } catch (RuntimeException e) {
            System.getLogger(LeakDetection.class.getName()).log(Level.ERROR, "leak listener failed on " + leak, e);
        }
    }

    /** The tokens and scopes created during one task. */
    static final class Tracker {
        final Context context;
        final boolean checkTokens;
        final Object task;
        final Tracker outer;
        /** Pairs: token or scope, then its creation site (null when not sampled); null until the first. */
        ArrayList<Object> entries;

        Tracker(Context context, boolean checkTokens, Object task, Tracker outer) {
            this.context = context;
            this.checkTokens = checkTokens;
            this.task = task;
            this.outer = outer;
            Objects.requireNonNull(context, "context");
        }
    }
}
