package org.contextvars4j.agent;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.concurrent.Callable;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import org.contextvars4j.agent.bootstrap.AgentBridge;
import org.contextvars4j.agent.bootstrap.Captures;

/**
 * The advice the agent inlines into JDK classes. Each piece is a few static calls into
 * {@link AgentBridge} (on the bootstrap class path); ByteBuddy copies the bytecode of these
 * methods into the instrumented methods, so these classes themselves are never called.
 */
final class Advices {

    private Advices() {
    }

    /** {@code ThreadPoolExecutor.execute(Runnable)} (and {@code ThreadPerTaskExecutor.newThread}): capture at hand-over. */
    static final class Execute {
        private Execute() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object executor,
                @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = AgentBridge.wrap(executor, task);
        }
    }

    /** {@code StructuredTaskScope.fork(Callable)} (JDK 25): the subtask captures the forking context. */
    static final class Fork {
        private Fork() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = AgentBridge.wrapCallable(task, task);
        }
    }

    /** {@code ThreadPoolExecutor.shutdownNow()}: the application gets its own runnables back. */
    static final class ShutdownNow {
        private ShutdownNow() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Return List<Runnable> tasks) {
            AgentBridge.unwrapAll(tasks);
        }
    }

    /** {@code ThreadPoolExecutor.remove(Runnable)}: finds the wrapper queued for the application's runnable. */
    static final class Remove {
        private Remove() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object executor,
                @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = AgentBridge.queued(executor, task);
        }
    }

    /** {@code FutureTask}'s constructors: the task captures the context it is created in (at submit). */
    static final class FutureTaskCreated {
        private FutureTaskCreated() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object original,
                @Advice.FieldValue(value = "callable", readOnly = false) Callable<?> callable) {
            callable = AgentBridge.wrapCallable(callable, original);
        }
    }

    /** {@code ForkJoinTask.fork()}: recapture. */
    static final class Capture {
        private Capture() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object task) {
            ((Captures) task).contextvars4j$captured(AgentBridge.capture(task));
        }
    }

    /**
     * Bound by the agent to {@code this instanceof CompletableFuture.Completion} (a type the
     * advice cannot name), in {@code ForkJoinTask}'s constructor.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface IsCompletion {
    }

    /**
     * {@code ForkJoinTask}'s constructor: capture, except for a {@code CompletableFuture}
     * completion, which captures at the end of its own constructor ({@link CaptureCompletion}).
     * For a completion, the check is a constant once the constructor is inlined where the
     * completion is allocated, so the JIT sees no branch between the allocation and the
     * completion's field stores (see {@link CaptureCompletion}).
     */
    static final class CaptureTask {
        private CaptureTask() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object task, @IsCompletion boolean completion) {
            if (!completion) {
                ((Captures) task).contextvars4j$captured(AgentBridge.capture(task));
            }
        }
    }

    /**
     * The constructors of {@code CompletableFuture}'s completions: capture the registering
     * context, after the completion's own fields are set. Done in {@code ForkJoinTask}'s
     * constructor, the capture (a {@code ThreadLocal} lookup, branches and calls) came between
     * the allocation and those stores: C2 then keeps a GC write barrier on each store it
     * otherwise removes for a just-allocated object, and the registration (JDK 17,
     * {@code uniApplyStage}) grew from about 1,000 to 3,000 bytes of machine code, past
     * {@code InlineSmallCode}, so {@code thenApply} was no longer inlined into its caller.
     */
    static final class CaptureCompletion {
        private CaptureCompletion() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object task) {
            if (task instanceof Captures c) {
                c.contextvars4j$captured(AgentBridge.capture(task));
            }
        }
    }

    /** {@code Timer.sched(TimerTask, ...)}: the timer task captures the scheduling context. */
    static final class Schedule {
        private Schedule() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object task) {
            if (task instanceof Captures c) {
                c.contextvars4j$captured(AgentBridge.capture(task));
            }
        }
    }

    /**
     * {@code ForkJoinTask.doExec()}, {@code CompletableFuture}'s {@code AsyncSupply.run()},
     * {@code AsyncRun.run()} and every completion's {@code tryFire(int)}, and {@code run()} of
     * {@code TimerTask}s: the body runs in a fresh copy of the task's capture.
     */
    static final class RunCaptured {
        private RunCaptured() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object task) {
            return task instanceof Captures c ? AgentBridge.enter(c.contextvars4j$captured(), task) : null;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object entry, @Advice.Thrown Throwable failure) {
            AgentBridge.exitInPool(entry, failure);
        }
    }

    /**
     * {@code CompletableFuture}'s private methods that may run a stage's function right away, on
     * the registering thread, when its source is complete already ({@code uniApplyNow} and its
     * siblings, and the {@code uni*Stage}, {@code bi*Stage} methods of the other stage kinds; see
     * {@code ContextAgent.runsStageNow}): the function runs in a copy of the registering context
     * (its sets stay in it).
     */
    static final class RegisterStage {
        private RegisterStage() {
        }

        @Advice.OnMethodEnter
        static Object enter() {
            return AgentBridge.enterCopyOfCurrent();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object entry, @Advice.Thrown Throwable failure) {
            AgentBridge.exitInPool(entry, failure);
        }
    }

    /** {@code Thread.start()} and {@code VirtualThread.start()} (inheritThreadContext only). */
    static final class ThreadStart {
        private ThreadStart() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object thread) {
            AgentBridge.threadStarting(thread);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object thread,
                @Advice.Thrown Throwable failure) {
            if (failure != null) {
                AgentBridge.threadNotStarted(thread);
            }
        }
    }

    /** {@code Thread.run()} and {@code VirtualThread.run(Runnable)} (inheritThreadContext only). */
    static final class ThreadRun {
        private ThreadRun() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.This(typing = Assigner.Typing.DYNAMIC) Object thread) {
            return AgentBridge.threadRunning(thread);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object entry, @Advice.Thrown Throwable failure) {
            AgentBridge.exitInPool(entry, failure);
        }
    }

    /** {@code Storage}'s static initializer in a contextvars4j core: publish the hook. */
    static final class CoreLoaded {
        private CoreLoaded() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Origin Class<?> storage) {
            AgentBridge.coreLoaded(storage);
        }
    }
}
