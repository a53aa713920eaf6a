package org.contextvars4j.log4j2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.logging.log4j.ThreadContext;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What Log4j prints across each propagation point of the core (P1-P4) with the context-backed
 * thread context and an exposed var, and under load (S7). {@code ThreadContextStockTest} runs
 * the same scenarios on Log4j's stock thread context.
 */
@ExtendWith({ContextLeakGuard.class, Scenarios.ExposedTenant.class})
class ContextThreadContextPropagationTest {

    private static final LogCapture.Line REQUEST = new LogCapture.Line("r-1", "u-1", "t-1", "");

    private static void assertRequestLine(LogCapture.Line line) {
        assertThat(line).isEqualTo(new LogCapture.Line(REQUEST.requestId(), REQUEST.user(), REQUEST.tenant(), line.msg()));
    }

    @Test
    @DisplayName("with no property, the module's Log4j provider selects the context-backed map")
    void threadContextMap_noProperty_isContextBacked() {
        assertThat(ThreadContext.getThreadContextMap()).isInstanceOf(ContextThreadContextMap.class);
    }

    @Test
    @DisplayName("P2: a wrapped executor's task prints the submitter's thread context and exposed var")
    void executorHop_wrappedPool_printsRequestFields() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.executorHop(log);
            assertRequestLine(log.line("hop"));
        }
    }

    @Test
    @DisplayName("P3: an async ContextCompletableFuture stage prints the registering request's fields")
    void futureStage_asyncStage_printsRequestFields() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.futureStage(log);
            assertRequestLine(log.line("stage"));
        }
    }

    @Test
    @DisplayName("P1: a thread from ContextThreads.wrap prints the creating request's fields")
    void wrappedThreadFactory_newThread_printsRequestFields() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.wrappedThreadFactory(log);
            assertRequestLine(log.line("thread"));
        }
    }

    @Test
    @DisplayName("S3: a put in a task's context copy is not seen by the submitter afterwards")
    void submitterAfterTaskPut_taskPutsOwnId_submitterKeepsItsOwn() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.submitterAfterTaskPut(log);
            assertThat(log.line("inner")).isEqualTo(new LogCapture.Line("task", "u-1", "t-1", "inner"));
            assertRequestLine(log.line("after"));
        }
    }

    @Test
    @DisplayName("P2: the next task on the same pooled thread does not print the previous task's fields")
    void nextTaskOnPooledThread_previousTaskPutWithoutRemove_printsNothing() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.nextTaskOnPooledThread(log);
            assertThat(log.line("second")).isEqualTo(new LogCapture.Line("", "", "", "second"));
        }
    }

    @Test
    @DisplayName("S7/P2/P3: 1,000 requests x 20 lines, 8 threads: no line carries another request's fields")
    void concurrentRequests_syncLogger_everyLineCarriesItsOwnRequest() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            List<LogCapture.Line> wrong = Scenarios.concurrentRequests(log, 1_000, 20);
            assertThat(wrong).isEmpty();
        }
    }

    @Test
    @DisplayName("S7/P3: through an async logger (LMAX Disruptor), every line prints the fields it was logged with")
    void concurrentRequests_asyncLogger_everyLineCarriesItsOwnRequest() throws Exception {
        try (LogCapture log = new LogCapture(true)) {
            List<LogCapture.Line> wrong = Scenarios.concurrentRequests(log, 1_000, 20);
            assertThat(wrong).isEmpty();
        }
    }
}
