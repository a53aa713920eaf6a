package org.contextvars4j;

import java.util.Arrays;
import java.util.Set;

/**
 * A stack trace that starts at the user's code: the frames of contextvars4j itself are dropped
 * from the top, so the first frame is the caller that created the token, scope or var. Never
 * thrown; only carried in reports and log records.
 */
final class CallerSite extends Throwable {

    private static final long serialVersionUID = 1L;
    private static final String LIBRARY = "org.contextvars4j.";

    private CallerSite(String what) {
        super(what, null, false, true);
    }

    /** {@return a site whose stack starts at the first frame outside the library} */
    static CallerSite of(String what) {
        CallerSite site = new CallerSite(what);
        StackTraceElement[] stack = site.getStackTrace();
        int first = 0;
        while (first < stack.length && isLibraryFrame(stack[first])) {
            first++;
        }
        if (first < stack.length) {
            site.setStackTrace(Arrays.copyOfRange(stack, first, stack.length));
        }
        return site;
    }

    private static boolean isLibraryFrame(StackTraceElement frame) {
        String cls = frame.getClassName();
        if (!cls.startsWith(LIBRARY)) {
            return false;
        }
        String simple = cls.substring(LIBRARY.length());
        int nested = simple.indexOf('$');
        return LIBRARY_CLASSES.contains(nested < 0 ? simple : simple.substring(0, nested));
    }

    /**
     * The library's top-level classes; a test or user class in the same package is not one of
     * them. CallerSiteTest checks this list against the compiled classes, so a new class cannot
     * be forgotten.
     */
    static final Set<String> LIBRARY_CLASSES = Set.of("Binding", "Bridge", "BridgeAnswers", "CallerSite",
            "Context", "ContextCallable", "ContextCompletableFuture", "ContextExecutor", "ContextExecutorService",
            "ContextExecutors", "ContextRunnable", "ContextScheduledExecutorService", "ContextThreads", "ContextVar",
            "LeakDetection", "Propagation", "Scope", "StageBiFunction", "StageFunction", "Storage",
            "ThreadLocalAccessor", "ThreadLocalAccessors", "Token", "ContextRecursiveTask",
            "ContextRecursiveAction", "RequestScope", "ScopeCache", "ScopedAsyncMemoizer", "ScopedMemoizer",
            "ScopedResource", "ScopedResourceException", "internal.Bridges", "internal.VarMap");
}
