package org.contextvars4j.benchmarks;

import static org.contextvars4j.benchmarks.Fixtures.VALUE;
import static org.contextvars4j.benchmarks.Fixtures.VARS;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.LeakDetection;
import org.contextvars4j.Token;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What leak detection costs a task: a task that does one {@code set} + {@code reset} handed to a
 * wrapped executor that runs it on the calling thread (so the row is the wrapper and the
 * detector, not a thread switch), with detection {@code off}, {@code sampled} (a creation stack
 * for 1 token or scope in 64, the production setting) and {@code full} (a stack for every one).
 * {@code plainSetReset} is the same {@code set} + {@code reset} outside any task, where nothing is
 * tracked.
 * <pre>{@code
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar LeakDetectionBenchmark -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class LeakDetectionBenchmark {

    /** Detection mode: off, sampled (1 in 64) or full. */
    @Param({"off", "sampled", "full"})
    public String mode;

    private final Executor direct = ContextExecutors.wrap((Executor) Runnable::run);
    private final Runnable task = () -> {
        try (Token<Object> t = VARS[0].set(VALUE)) {
            // the override is the task's whole work
        }
    };

    /** Switches detection to {@link #mode}. */
    @Setup(Level.Trial)
    public void enable() {
        VirtualThreadExecutor.checkThreadKind();
        switch (mode) {
            case "off" -> LeakDetection.disable();
            case "sampled" -> LeakDetection.enable(64);
            case "full" -> LeakDetection.enable(1);
            default -> throw new IllegalArgumentException("mode: " + mode);
        }
    }

    /** Switches detection off again. */
    @TearDown(Level.Trial)
    public void disable() {
        LeakDetection.disable();
    }

    @Benchmark
    public void wrappedTask() {
        direct.execute(task);
    }

    @Benchmark
    public void plainSetReset() {
        task.run();
    }
}
