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
 * {@code CompletableFuture} chain on a plain one-worker {@code ThreadPoolExecutor}, three ways:
 * nothing ({@code *_unwrapped}, no agent), our explicit wrappers ({@code *_ours}, no agent), and
 * the agent ({@code *_unwrapped} in forks started with {@code -javaagent}). Prints each row and
 * the agent's ratio to the explicit wrappers (target: at most 1.1x).
 *
 * <pre>{@code
 * java -cp contextvars4j-benchmarks/target/benchmarks.jar org.contextvars4j.benchmarks.AgentComparison \
 *     contextvars4j-agent/target/contextvars4j-agent-0.1.0-SNAPSHOT.jar
 * }</pre>
 */
public final class AgentComparison {

    private AgentComparison() {
    }

    /**
     * Runs the comparison.
     *
     * @param args the agent jar's path
     * @throws RunnerException if JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: AgentComparison <path of contextvars4j-agent jar>");
        }
        String rows = HandOffBenchmark.class.getSimpleName() + "\\.(hop|chain5)_";
        Map<String, Double> without = score(new Runner(options()
                .include(rows + "(unwrapped|ours)$").build()).run());
        Map<String, Double> with = score(new Runner(options()
                .include(rows + "unwrapped$")
                .jvmArgsAppend("-Xshare:off", "-javaagent:" + args[0]).build()).run());
        System.out.println();
        System.out.println("row     nothing (ns)  explicit (ns)  agent (ns)  agent/explicit");
        for (String op : new String[] {"hop", "chain5"}) {
            double nothing = without.get(op + "_unwrapped");
            double explicit = without.get(op + "_ours");
            double agent = with.get(op + "_unwrapped");
            System.out.println(String.format(Locale.ROOT, "%-7s %12.0f  %13.0f  %10.0f  %13.2fx",
                    op, nothing, explicit, agent, agent / explicit));
        }
    }

    private static ChainedOptionsBuilder options() {
        return new OptionsBuilder()
                .param("pool", "tpe")
                .forks(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(3)
                .measurementTime(TimeValue.seconds(1))
                .timeUnit(TimeUnit.NANOSECONDS);
    }

    private static Map<String, Double> score(Collection<RunResult> results) {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        return scores;
    }
}
