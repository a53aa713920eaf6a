package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Never break the application: a JVM whose first instrumented JDK class is {@code ForkJoinTask}
 * (loaded while the main class is linked, before {@code main} runs) starts, and its task runs in
 * a copy of its creator's context. Run in a fresh JVM: in the test JVM, other JDK classes are
 * loaded first.
 */
@ExtendWith(ContextLeakGuard.class)
class StartupAgentTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    /** Run in a JVM started with the agent: linking this class loads {@code ForkJoinTask}. */
    public static final class ForkJoinFirst {
        private ForkJoinFirst() {
        }

        /** Returns what it runs in. */
        static final class Task extends RecursiveTask<String> {
            private static final long serialVersionUID = 1L;

            @Override
            protected String compute() {
                return REQUEST.orElse("<empty>");
            }
        }

        /**
         * Prints what a fork/join task created in a context saw.
         *
         * @param args unused
         */
        public static void main(String[] args) {
            try (Token<String> t = REQUEST.set("creator")) {
                ForkJoinTask<String> task = new Task();
                System.out.println("task saw " + ForkJoinPool.commonPool().invoke(task));
            }
        }
    }

    @Test
    @DisplayName("P5, never break the application: ForkJoinTask as the first class instrumented")
    void start_forkJoinTaskLoadedFirst_runsAndPropagates() throws Exception {
        String agent = System.getProperty("contextvars4j.agent.jar");
        assertThat(agent).as("the agent jar, from the pom").isNotNull();
        List<String> command = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off", "-javaagent:" + agent, "-cp", System.getProperty("java.class.path"),
                ForkJoinFirst.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("task saw creator").doesNotContain("IllegalAccessError");
    }
}
