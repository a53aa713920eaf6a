package org.contextvars4j.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.contextvars4j.Context;
import org.contextvars4j.ContextCompletableFuture;
import org.contextvars4j.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the Java agent adds to a hand-off, without the thread wake-ups that dominate (and, on a
 * loaded machine, blur) {@link HandOffBenchmark}'s {@code hop}: everything happens on the
 * benchmark thread, inside a context holding 4 values.
 *
 * <ul>
 *   <li>{@code task}: create a {@code FutureTask} (what every {@code submit} does) and run it,
 *       through a method that is not inlined, as a pool's worker loop runs it.
 *       {@code plain} hands it the callable; {@code explicit} the callable wrapped by
 *       {@code Context.copyCurrent().wrap}. Run in a JVM with the agent, {@code plain} is the
 *       agent's row. (Inlined into the benchmark method, {@code run()} made this row measure
 *       whether C2 had compiled {@code FutureTask.run} on its own before the benchmark method:
 *       such a method is inlined two levels deep only while its code is under
 *       {@code InlineSmallCode / 4} bytes, which the agent's one, with the hand-off inlined, is
 *       not; {@code -XX:+PrintInlining} said "already compiled into a big method".)</li>
 *   <li>{@code chain5}: five {@code thenApply} stages registered on an incomplete future, which is
 *       then completed, so the completing thread runs them (P4). {@code plain} on a
 *       {@code CompletableFuture}; {@code explicit} on a {@code ContextCompletableFuture}.</li>
 * </ul>
 * {@link AgentComparison} runs these rows with and without the agent in one run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@org.openjdk.jmh.annotations.State(org.openjdk.jmh.annotations.Scope.Thread)
public class AgentOverheadBenchmark {

    private static final Callable<Object> CALL = () -> Boolean.TRUE;
    private static final Function<Integer, Integer> NEXT = i -> i + 1;

    private Scope scope;

    /**
     * Enters a context holding 4 values on the benchmark thread. Per iteration, not per trial:
     * JMH runs each iteration as a task on its own pool, which the agent runs in a fresh copy of
     * the submitting context, so a scope must be opened and closed inside one iteration.
     */
    @Setup(Level.Iteration)
    public void enter() {
        Context c = new Context();
        for (int i = 0; i < 4; i++) {
            c = c.with(Fixtures.VARS[i], "v" + i);
        }
        scope = c.enter();
    }

    /** Leaves it. */
    @TearDown(Level.Iteration)
    public void exit() {
        scope.close();
    }

    @Benchmark
    public Object task_plain() {
        FutureTask<Object> task = new FutureTask<>(CALL);
        runInWorker(task);
        return task;
    }

    @Benchmark
    public Object task_explicit() {
        FutureTask<Object> task = new FutureTask<>(Context.copyCurrent().wrap(CALL));
        runInWorker(task);
        return task;
    }

    /** Runs a task as a pool's worker loop does: from code compiled on its own. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static void runInWorker(Runnable task) {
        task.run();
    }

    @Benchmark
    public Object chain5_plain() {
        CompletableFuture<Integer> source = new CompletableFuture<>();
        CompletableFuture<Integer> end = source.thenApply(NEXT).thenApply(NEXT).thenApply(NEXT).thenApply(NEXT)
                .thenApply(NEXT);
        source.complete(0);
        return end.join();
    }

    @Benchmark
    public Object chain5_explicit() {
        ContextCompletableFuture<Integer> source = new ContextCompletableFuture<>();
        CompletableFuture<Integer> end = source.thenApply(NEXT).thenApply(NEXT).thenApply(NEXT).thenApply(NEXT)
                .thenApply(NEXT);
        source.complete(0);
        return end.join();
    }
}
