package org.contextvars4j.benchmarks;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The agent's cost, in one run: {@link HandOffBenchmark}'s executor hop and five-stage
 * {@code CompletableFuture} chain on a plain one-worker {@code ThreadPoolExecutor}, and
 * {@link AgentOverheadBenchmark}'s rows on one thread, three ways: nothing (the plain rows, no
 * agent), our explicit wrappers (no agent), and the agent (the plain rows in forks started with
 * {@code -javaagent}). Prints each row and the agent's ratio to the explicit wrappers (target: at
 * most 1.1x). The agent runs in its default configuration (no options); a second argument gives
 * it options, for example {@code exclude=com.example.} to measure what the {@code exclude}
 * option adds to each hand-off (a per-class lookup of the task's class).
 *
 * <pre>{@code
 * java -cp contextvars4j-benchmarks/target/benchmarks.jar org.contextvars4j.benchmarks.AgentComparison \
 *     contextvars4j-agent/target/contextvars4j-agent-0.1.0-SNAPSHOT.jar [agent options]
 * }</pre>
 */
public final class AgentComparison {

    private AgentComparison() {
    }

    /**
     * Runs the comparison.
     *
     * @param args the agent jar's path, then optionally the agent's options
     * @throws RunnerException if JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        if (args.length != 1 && args.length != 2) {
            throw new IllegalArgumentException("usage: AgentComparison <path of contextvars4j-agent jar> [agent options]");
        }
        String javaagent = "-javaagent:" + args[0] + (args.length == 2 ? "=" + args[1] : "");
        String hops = HandOffBenchmark.class.getSimpleName() + "\\.(hop|chain5)_";
        String local = AgentOverheadBenchmark.class.getSimpleName() + "\\.(task|chain5)_";
        Map<String, Double> without = score(new Runner(options()
                .include(hops + "(unwrapped|ours)$").include(local + "(plain|explicit)$").build()).run());
        Map<String, Double> with = score(new Runner(options()
                .include(hops + "unwrapped$").include(local + "plain$")
                .jvmArgsAppend("-Xshare:off", javaagent).build()).run());
        System.out.println();
        System.out.println("row                      nothing (ns)  explicit (ns)  agent (ns)  agent/explicit");
        for (String[] row : new String[][] {
            {"HandOffBenchmark.hop", "_unwrapped", "_ours"},
            {"HandOffBenchmark.chain5", "_unwrapped", "_ours"},
            {"AgentOverheadBenchmark.task", "_plain", "_explicit"},
            {"AgentOverheadBenchmark.chain5", "_plain", "_explicit"},
        }) {
            double nothing = without.get(row[0] + row[1]);
            double explicit = without.get(row[0] + row[2]);
            double agent = with.get(row[0] + row[1]);
            System.out.println(String.format(Locale.ROOT, "%-29s %8.1f  %13.1f  %10.1f  %13.2fx",
                    row[0], nothing, explicit, agent, agent / explicit));
        }
    }

    private static ChainedOptionsBuilder options() {
        return new OptionsBuilder()
                .param("pool", "tpe")
                .forks(1)
                // five warm-up seconds: a fork with the agent compiles the instrumented JDK
                // classes too, and with two its first measured iterations were still falling
                // (JDK 17 chain5: 198, 146, 138 ns against the explicit row's steady 119-124)
                .warmupIterations(5)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .timeUnit(TimeUnit.NANOSECONDS);
    }

    private static Map<String, Double> score(Collection<RunResult> results) {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String method = name.substring(name.lastIndexOf('.') + 1);
            String type = name.substring(0, name.lastIndexOf('.'));
            scores.put(type.substring(type.lastIndexOf('.') + 1) + "." + method, r.getPrimaryResult().getScore());
        }
        return scores;
    }
}
