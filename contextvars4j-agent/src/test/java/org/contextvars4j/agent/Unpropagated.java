package org.contextvars4j.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.contextvars4j.Context;

/**
 * A probe the tests' agent leaves alone (its class is in the agent's {@code exclude} option, see
 * the pom): run on a pool worker, it sees the worker's own context, not a propagated copy.
 */
final class Unpropagated implements Callable<String> {

    /** Threads whose uncaught exceptions are kept for the test to assert, rather than printed. */
    static final class Threads implements ThreadFactory {
        final List<Throwable> uncaught = new ArrayList<>();
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "agent-test-" + n.incrementAndGet());
            t.setUncaughtExceptionHandler((thread, e) -> {
                synchronized (uncaught) {
                    uncaught.add(e);
                }
            });
            return t;
        }

        List<Throwable> uncaught() {
            synchronized (uncaught) {
                return new ArrayList<>(uncaught);
            }
        }
    }

    /**
     * Uninstrumented code on a pool worker (the agent leaves it alone): sets a var in the
     * worker's own base context, or, given the token, resets it.
     */
    static final class Scribble implements Callable<org.contextvars4j.Token<String>> {
        private final org.contextvars4j.ContextVar<String> var;
        private final org.contextvars4j.Token<String> undo;

        Scribble(org.contextvars4j.ContextVar<String> var, org.contextvars4j.Token<String> undo) {
            this.var = var;
            this.undo = undo;
        }

        @Override
        public org.contextvars4j.Token<String> call() {
            if (undo != null) {
                undo.close();
                return null;
            }
            return var.set("left-by-uninstrumented-code");
        }
    }

    /** A timer task the agent leaves alone: it reports the timer thread's own context. */
    static final class TimerProbe extends java.util.TimerTask {
        final java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();

        @Override
        public void run() {
            seen.complete(new Unpropagated().call());
        }
    }

    /** {@return what the worker's own current context holds, "" when it is empty} */
    @Override
    public String call() {
        Context current = Context.copyCurrent();
        return current.isEmpty() ? "" : current.toString();
    }

    /**
     * Probes the one worker of a single-thread pool.
     *
     * @param pool a pool with one worker
     * @return what that worker's own context holds, "" when it is empty
     * @throws Exception if the probe fails or times out
     */
    static String workerOf(ExecutorService pool) throws Exception {
        return pool.submit(new Unpropagated()).get(10, TimeUnit.SECONDS);
    }
}
