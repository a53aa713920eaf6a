package org.contextvars4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@link GrpcCallBenchmark}'s three rows (a unary in-process call through
 * {@code ContextServerInterceptor}, without it, and behind the floor interceptor) timed in
 * <em>thread CPU time</em> and allocated bytes rather than wall time, for a machine shared with
 * other work. With {@code directExecutor} on both sides a call runs on the calling thread only, so
 * its thread's CPU time and allocation are the call's. Rounds alternate the rows; each round times
 * a batch of calls per row; the medians over the rounds and the per-round ratio are printed, then
 * the bytes per call (exact: {@code getCurrentThreadAllocatedBytes}). Not a replacement for JMH on
 * a quiet machine: no blackhole, one JVM, a simpler loop.
 *
 * <p>It uses only {@link GrpcCallBenchmark}'s public methods, so the same source also runs against
 * an older benchmarks jar (an A/B of two builds), as a single source file:
 * <pre>{@code
 * java -cp contextvars4j-benchmarks/target/benchmarks.jar org.contextvars4j.benchmarks.GrpcCallCpuTime 31 20000
 * java -cp old-benchmarks.jar contextvars4j-benchmarks/src/main/java/org/contextvars4j/benchmarks/GrpcCallCpuTime.java 31 20000
 * }</pre>
 */
public final class GrpcCallCpuTime {

    private static final String[] ROWS = {"with", "without", "floor"};

    private GrpcCallCpuTime() {
    }

    /**
     * Times the rows and prints the table.
     *
     * @param args the number of rounds (default 21) and of calls per row and round (default 20,000)
     * @throws Exception if the server cannot start or a call fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        GrpcCallBenchmark benchmark = new GrpcCallBenchmark();
        benchmark.start();
        try {
            run(benchmark, rounds, calls);
        } finally {
            benchmark.stop();
        }
    }

    private static void run(GrpcCallBenchmark benchmark, int rounds, int calls) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Supplier<String>> rows = List.of(benchmark::withInterceptor, benchmark::withoutInterceptor, benchmark::floorInterceptor);
        for (int warmup = 0; warmup < 6; warmup++) {
            for (Supplier<String> row : rows) {
                calls(row, calls);
            }
        }
        double[][] nanos = new double[rows.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < rows.size(); k++) {
                int row = (k + round) % rows.size();    // each row first in turn
                long start = threads.getCurrentThreadCpuTime();
                calls(rows.get(row), calls);
                nanos[row][round] = (threads.getCurrentThreadCpuTime() - start) / (double) calls;
            }
        }
        double[] ratio = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            ratio[round] = nanos[1][round] / nanos[0][round];
        }
        Arrays.sort(ratio);
        for (int row = 0; row < rows.size(); row++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            calls(rows.get(row), calls);
            double bytes = (threads.getCurrentThreadAllocatedBytes() - before) / (double) calls;
            double[] sorted = nanos[row].clone();
            Arrays.sort(sorted);
            System.out.println(String.format(Locale.ROOT, "%-8s thread CPU median %6.0f ns, min %6.0f ns, %6.0f B/call",
                    ROWS[row], sorted[rounds / 2], sorted[0], bytes));
        }
        System.out.println(String.format(Locale.ROOT, "with / without, calls per CPU second: median %.3fx (quartiles %.3f-%.3f)",
                ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]));
    }

    private static void calls(Supplier<String> row, int calls) {
        for (int i = 0; i < calls; i++) {
            if (row.get() == null) {
                throw new IllegalStateException("no reply");
            }
        }
    }
}
