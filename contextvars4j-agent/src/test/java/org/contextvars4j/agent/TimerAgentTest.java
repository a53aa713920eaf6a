package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code java.util.Timer} with the agent: a timer task runs in a copy of the context it was
 * scheduled in, each run of a periodic one in a fresh copy, and the timer thread is left clean.
 */
@ExtendWith(ContextLeakGuard.class)
class TimerAgentTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request");

    private final Timer timer = new Timer("agent-test-timer", true);

    @AfterEach
    void cancel() {
        timer.cancel();
    }

    /** Reports what it sees and sets a value it never resets. */
    private static final class Recording extends TimerTask {
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

        @Override
        public void run() {
            seen.add(REQUEST.orElse("<none>"));
            REQUEST.set("set-by-an-earlier-run");
        }
    }

    @Test
    @DisplayName("P2: a one-shot and a periodic timer task run in the scheduling context, each run a fresh copy")
    void schedule_oneShotAndPeriodic_schedulingContextFreshEachRun() throws Exception {
        Recording once = new Recording();
        Recording periodic = new Recording();
        try (Token<String> t = REQUEST.set("timer")) {
            timer.schedule(once, 1);
            timer.scheduleAtFixedRate(periodic, 0, 5);
        }
        assertThat(once.seen.poll(10, TimeUnit.SECONDS)).isEqualTo("timer");
        for (int i = 0; i < 3; i++) {
            assertThat(periodic.seen.poll(10, TimeUnit.SECONDS)).isEqualTo("timer");
        }
        periodic.cancel();
        Unpropagated.TimerProbe probe = new Unpropagated.TimerProbe();
        timer.schedule(probe, 1);
        assertThat(probe.seen.get(10, TimeUnit.SECONDS)).as("the timer thread's own context").isEmpty();
    }
}
