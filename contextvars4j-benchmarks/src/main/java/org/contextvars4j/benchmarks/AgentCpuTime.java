package org.contextvars4j.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@link AgentComparison}'s one-thread rows ({@link AgentOverheadBenchmark}'s {@code task} and
 * {@code chain5}) timed in <em>thread CPU time</em> rather than wall time, for a machine shared
 * with other work: time the thread spends waiting for a core, which makes wall-clock scores on a
 * loaded machine swing by more than the differences measured, is not counted. Each row runs in a
 * JVM of its own (the plain rows a second time with {@code -javaagent}); each round times a
 * batch of calls with {@code ThreadMXBean.getCurrentThreadCpuTime()}; the minimum and the median
 * of the rounds after warm-up are printed. Not a replacement for JMH on a quiet machine: no
 * blackhole, no forks but one, a simpler loop.
 *
 * <pre>{@code
 * java -cp contextvars4j-benchmarks/target/benchmarks.jar org.contextvars4j.benchmarks.AgentCpuTime \
 *     contextvars4j-agent/target/contextvars4j-agent-0.1.0-SNAPSHOT.jar
 * }</pre>
 */
public final class AgentCpuTime {

    private static final int WARMUP_ROUNDS = 4;
    private static final int ROUNDS = 12;

    private AgentCpuTime() {
    }

    /**
     * Runs every row in its own JVM and prints the table; with {@code --row NAME}, times that row
     * in this JVM and prints {@code min median}.
     *
     * @param args the agent jar's path, or {@code --row} and a row name
     * @throws Exception if a JVM cannot be started or a row fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--row")) {
            double[] r = time(args[1]);
            System.out.println(String.format(Locale.ROOT, "%.2f %.2f", r[0], r[1]));
            return;
        }
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: AgentCpuTime <path of contextvars4j-agent jar>");
        }
        String agent = "-javaagent:" + args[0];
        System.out.println("row (thread CPU ns/op, min / median)   nothing          explicit         agent"
                + "            agent/explicit (min)");
        for (String row : new String[] {"task", "chain5"}) {
            double[] nothing = fork(row + "_plain");
            double[] explicit = fork(row + "_explicit");
            double[] withAgent = fork(row + "_plain", "-Xshare:off", agent);
            System.out.println(String.format(Locale.ROOT,
                    "AgentOverheadBenchmark.%-15s %6.1f / %6.1f  %6.1f / %6.1f  %6.1f / %6.1f  %6.2fx",
                    row, nothing[0], nothing[1], explicit[0], explicit[1], withAgent[0], withAgent[1],
                    withAgent[0] / explicit[0]));
        }
    }

    private static double[] fork(String row, String... jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmArgs));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AgentCpuTime.class.getName(), "--row", row));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String last = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (!line.startsWith("Sharing is only supported")) {
                    last = line;
                }
            }
        }
        if (p.waitFor() != 0 || last == null) {
            throw new IllegalStateException("row " + row + " failed: " + last);
        }
        String[] parts = last.trim().split(" ");
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    }

    /** {@return the minimum and median thread CPU time per call of {@code row}, in ns} */
    private static double[] time(String row) {
        AgentOverheadBenchmark b = new AgentOverheadBenchmark();
        Supplier<Object> call = switch (row) {
            case "task_plain" -> b::task_plain;
            case "task_explicit" -> b::task_explicit;
            case "chain5_plain" -> b::chain5_plain;
            case "chain5_explicit" -> b::chain5_explicit;
            default -> throw new IllegalArgumentException("no row " + row);
        };
        int calls = row.startsWith("task") ? 2_000_000 : 300_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] rounds = new double[ROUNDS];
        Object sink = null;
        b.enter();
        try {
            for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < calls; i++) {
                    sink = call.get();
                }
                long end = threads.getCurrentThreadCpuTime();
                if (round >= 0) {
                    rounds[round] = (end - start) / (double) calls;
                }
            }
        } finally {
            b.exit();
        }
        if (sink == null) {
            throw new AssertionError("no result");
        }
        Arrays.sort(rounds);
        return new double[] {rounds[0], rounds[ROUNDS / 2]};
    }
}
