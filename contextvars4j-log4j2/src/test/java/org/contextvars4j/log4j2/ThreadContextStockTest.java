package org.contextvars4j.log4j2;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.ThreadContext;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scenarios of {@code ContextThreadContextPropagationTest} on Log4j's stock thread-local
 * thread context (its own surefire execution): the thread-context fields are lost at each
 * hand-off and leak into the next task, proof that the scenarios see the difference. The exposed
 * var, served by the {@code ContextDataProvider}, still follows the context, and exposing it
 * said once that the thread context does not.
 */
@ExtendWith({ContextLeakGuard.class, NoticeCapture.class, Scenarios.ExposedTenant.class})
@DisplayName("stock thread-local ThreadContext (the harness sees its failures)")
class ThreadContextStockTest {

    @Test
    void threadContextMap_stockExecution_isNotContextBacked() {
        ThreadContext.put("probe", "1");        // initializes the thread context
        ThreadContext.remove("probe");
        assertThat(Scenarios.stock()).isTrue();
    }

    @Test
    @DisplayName("expose with the stock map: one WARNING naming the exact property that switches it on")
    void expose_stockMap_oneWarningNamingProperty() {
        assertThat(NoticeCapture.lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("WARNING ").contains("ThreadContext.put entries stay thread-local",
                        "log4j2.threadContextMap=org.contextvars4j.log4j2.ContextThreadContextMap"));
    }

    @Test
    void executorHop_stockMap_losesFieldsButNotExposedVar() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.executorHop(log);
            assertThat(log.line("hop")).isEqualTo(new LogCapture.Line("", "", "t-1", "hop"));
        }
    }

    @Test
    void futureStage_stockMap_losesFields() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.futureStage(log);
            assertThat(log.line("stage").requestId()).isEmpty();
        }
    }

    @Test
    void wrappedThreadFactory_stockMap_losesFields() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.wrappedThreadFactory(log);
            assertThat(log.line("thread").requestId()).isEmpty();
        }
    }

    @Test
    void submitterAfterTaskPut_stockMap_submitterPrintsTasksId() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.submitterAfterTaskPut(log);
            assertThat(log.line("after").requestId()).isEqualTo("task");
        }
    }

    @Test
    void nextTaskOnPooledThread_stockMap_leaksPreviousTasksId() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            Scenarios.nextTaskOnPooledThread(log);
            assertThat(log.line("second").requestId()).isEqualTo("first");
        }
    }

    @Test
    void concurrentRequests_stockMap_printsWrongLines() throws Exception {
        try (LogCapture log = new LogCapture(false)) {
            assertThat(Scenarios.concurrentRequests(log, 1_000, 20)).hasSizeGreaterThanOrEqualTo(1_000);
        }
    }
}
