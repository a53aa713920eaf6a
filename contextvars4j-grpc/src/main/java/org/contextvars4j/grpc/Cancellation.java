package org.contextvars4j.grpc;

import io.grpc.Context.CancellableContext;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;

/**
 * The deadline and the cancellation of the current work, read from the context: "how long may I
 * still take?" and "should I stop?", the same way in a gRPC call and in any other work.
 *
 * <h2>Where it comes from</h2>
 *
 * <p>{@link #current()} is the value of {@link #VAR} when it is set, else a view of
 * {@code io.grpc.Context.current()}. {@link ContextServerInterceptor} sets {@link #VAR} to the
 * call's gRPC context in each call's context, so inside a call, and in everything handed off from
 * it with a contextvars4j hand-off, it is the call's deadline and cancellation. For work that is
 * not a gRPC call, make one and set it:
 *
 * <pre>{@code
 * Cancellation job = Cancellation.current().withTimeout(Duration.ofSeconds(2), scheduler);
 * try (Token<Cancellation> bound = Cancellation.VAR.set(job)) {
 *     ... Cancellation.current().isCancelled() ...   // anywhere below, and in hand-offs
 * }
 * }</pre>
 *
 * <p>A cancellation is backed by a gRPC context (grpc-api is this module's one dependency and its
 * context depends on nothing), so a child is cancelled with its parent, and a gRPC client call
 * started with the backing context current is cancelled with it.
 *
 * <h2>Cancelling handed-off work</h2>
 *
 * <p>Cancellation does not stop running code by itself: code polls {@link #isCancelled()}. Where
 * the user asks for it, {@link #cancelling(ExecutorService)} makes an executor whose tasks are
 * cancelled (and interrupted) when the cancellation current at their submission is.
 *
 * @implNote Immutable; reads are cheap (a field and a clock read for the deadline).
 */
public final class Cancellation {

    /**
     * The current work's cancellation, when one is set; no default. {@link ContextServerInterceptor}
     * sets it in each call's context.
     */
    public static final ContextVar<Cancellation> VAR = ContextVar.of("cancellation");

    private final io.grpc.Context context;

    private Cancellation(io.grpc.Context context) {
        this.context = context;
    }

    /** {@return the current work's cancellation: {@link #VAR} when set, else a view of gRPC's current context} */
    public static Cancellation current() {
        Cancellation set = VAR.orElse(null);
        return set != null ? set : new Cancellation(io.grpc.Context.current());
    }

    /**
     * Returns a view of the deadline and cancellation of a gRPC context.
     *
     * @param context the context, for example a server call's
     * @return the view
     * @throws NullPointerException if {@code context} is null
     */
    public static Cancellation of(io.grpc.Context context) {
        return new Cancellation(Objects.requireNonNull(context, "context"));
    }

    /**
     * Returns a child that can be cancelled on its own with {@link #cancel}, and is cancelled when
     * this one is.
     *
     * @return the child
     */
    public Cancellation withCancellation() {
        return new Cancellation(context.withCancellation());
    }

    /**
     * Returns a child that is cancelled when {@code timeout} has passed (or when this one is
     * cancelled, or by {@link #cancel}). Its deadline is the earlier of this one's and the timeout.
     *
     * @param timeout the time from now
     * @param scheduler runs the cancellation when the timeout passes
     * @return the child
     * @throws NullPointerException if an argument is null
     */
    public Cancellation withTimeout(Duration timeout, ScheduledExecutorService scheduler) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(scheduler, "scheduler");
        return new Cancellation(context.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS, scheduler));
    }

    /** {@return whether the work should stop: cancelled, or past its deadline} */
    public boolean isCancelled() {
        if (context.isCancelled()) {
            return true;
        }
        Deadline deadline = context.getDeadline();
        return deadline != null && deadline.isExpired();
    }

    /** {@return the time left before the deadline (zero or negative once it passed); empty when there is no deadline} */
    public Optional<Duration> timeRemaining() {
        Deadline deadline = context.getDeadline();
        return deadline == null ? Optional.empty() : Optional.of(Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)));
    }

    /** {@return why it was cancelled; empty when it was not, or when it was cancelled without a cause} */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(context.cancellationCause());
    }

    /**
     * Cancels this cancellation and its children.
     *
     * @param cause why; may be null
     * @return whether this call cancelled it (false when it was cancelled already)
     * @throws IllegalStateException if this is a view of a context made elsewhere that cannot be
     *         cancelled from here (only {@link #withCancellation()} and {@link #withTimeout} make
     *         cancellable ones)
     */
    public boolean cancel(Throwable cause) {
        if (!(context instanceof CancellableContext)) {
            throw new IllegalStateException(this + " cannot be cancelled here: only withCancellation() or withTimeout() make one that can");
        }
        return ((CancellableContext) context).cancel(cause);
    }

    /** {@return the gRPC context behind it: make it current to have gRPC calls follow it} */
    public io.grpc.Context grpcContext() {
        return context;
    }

    /**
     * Returns an executor whose tasks are cancelled, with an interrupt, when the cancellation
     * current at their submission ({@link #current()}) is cancelled or passes its deadline. A
     * task that finished first is not touched, and its listener is removed. Wrap the delegate with
     * {@code ContextExecutors.wrap} as well for the tasks to run in the submitter's context.
     *
     * @param delegate runs the tasks; shutting down the returned executor shuts it down
     * @return the executor
     * @throws NullPointerException if {@code delegate} is null
     */
    public static ExecutorService cancelling(ExecutorService delegate) {
        return new Cancelling(Objects.requireNonNull(delegate, "delegate"));
    }

    @Override
    public String toString() {
        Deadline deadline = context.getDeadline();
        return "Cancellation[" + (isCancelled() ? "cancelled" : "active")
                + (deadline != null ? ", deadline " + deadline : "") + "]";
    }

    /** The executor of {@link #cancelling}: each task is a future bound to its submitter's cancellation. */
    private static final class Cancelling extends AbstractExecutorService {

        private final ExecutorService delegate;

        Cancelling(ExecutorService delegate) {
            this.delegate = delegate;
        }

        @Override
        protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
            return new Bound<>(callable, current().context);
        }

        @Override
        protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
            return new Bound<>(java.util.concurrent.Executors.callable(runnable, value), current().context);
        }

        @Override
        public void execute(Runnable command) {
            delegate.execute(command instanceof Bound ? command : newTaskFor(command, null));
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }

    /** A task cancelled with the gRPC context of its submission, which forgets it once done. */
    private static final class Bound<T> extends FutureTask<T> implements io.grpc.Context.CancellationListener {

        private final io.grpc.Context context;

        Bound(Callable<T> callable, io.grpc.Context context) {
            super(callable);
            this.context = context;
            context.addListener(this, Runnable::run);
        }

        @Override
        public void cancelled(io.grpc.Context cancelled) {
            cancel(true);
        }

        @Override
        protected void done() {
            context.removeListener(this);
        }
    }
}
