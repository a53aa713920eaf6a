package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * P1 and the {@code inheritThreadContext} option (Python 3.14's {@code thread_inherit_context}):
 * by default a new thread starts empty; with the option, a thread runs in a copy of the context
 * of the caller of {@code start()}, and its own sets stay in that copy.
 */
@ExtendWith(ContextLeakGuard.class)
class InheritThreadContextAgentTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    /** Run in a JVM started with {@code inheritThreadContext=true}. */
    public static final class Child {
        private Child() {
        }

        /**
         * Prints what a started thread saw, then what the creator sees after it ran.
         *
         * @param args unused
         * @throws InterruptedException if interrupted
         */
        public static void main(String[] args) throws InterruptedException {
            AtomicReference<String> seen = new AtomicReference<>();
            try (Token<String> t = REQUEST.set("creator")) {
                Thread thread = new Thread(() -> {
                    seen.set(REQUEST.orElse("<empty>"));
                    REQUEST.set("set-in-thread");
                });
                thread.start();
                thread.join();
                System.out.println("thread saw " + seen.get() + ", creator still sees " + REQUEST.get());
            }
        }
    }

    @Test
    @DisplayName("P1: by default a started thread starts empty")
    void start_default_startsEmpty() throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>();
        try (Token<String> t = REQUEST.set("creator")) {
            Thread thread = new Thread(() -> seen.set(REQUEST.orElse("<empty>")));
            thread.start();
            thread.join();
        }
        assertThat(seen).hasValue("<empty>");
    }

    @Test
    @DisplayName("inheritThreadContext=true: a started thread runs in a copy of its starter's context")
    void start_inheritOption_copyOfStartersContext() throws Exception {
        String agent = System.getProperty("contextvars4j.agent.jar");
        assertThat(agent).as("the agent jar, from the pom").isNotNull();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xshare:off",
                "-javaagent:" + agent + "=inheritThreadContext=true",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("thread saw creator, creator still sees creator");
    }
}
