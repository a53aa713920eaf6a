package org.contextvars4j.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

/**
 * What Logback prints across each propagation point of the core (P1-P4), with the context-backed
 * MDC, and the same scenarios with Logback's stock MDC, which loses or leaks the fields: proof
 * that the scenarios can see the difference.
 */
@ExtendWith({ContextLeakGuard.class, MdcScenarios.ExposedTenant.class})
class ContextMdcPropagationTest {

    private static void assertRequestLine(LogCapture.Line line) {
        assertThat(line).isEqualTo(new LogCapture.Line("r-1", "u-1", "t-1", line.msg()));
    }

    @Test
    @DisplayName("the provider named by -Dslf4j.provider is in charge: MDC and Logback share the context-backed adapter")
    void provider_selectedBySystemProperty_bindsContextAdapter() {
        assertThat(MDC.getMDCAdapter()).isSameAs(ContextMdc.mdcAdapter());
        assertThat(((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory()).getMDCAdapter())
                .isSameAs(ContextMdc.mdcAdapter());
    }

    @Nested
    @DisplayName("context-backed MDC")
    class ContextBacked {

        @Test
        @DisplayName("P2: a wrapped executor's task prints the submitter's MDC and exposed var")
        void executorHop_wrappedPool_printsRequestFields() throws Exception {
            LogCapture log = LogCapture.contextBacked(false);
            MdcScenarios.executorHop(log);
            assertRequestLine(log.line("hop"));
        }

        @Test
        @DisplayName("P3: an async ContextCompletableFuture stage prints the registering request's fields")
        void futureStage_asyncStage_printsRequestFields() throws Exception {
            LogCapture log = LogCapture.contextBacked(false);
            MdcScenarios.futureStage(log);
            assertRequestLine(log.line("stage"));
        }

        @Test
        @DisplayName("P1: a thread from ContextThreads.wrap prints the creating request's fields")
        void wrappedThreadFactory_newThread_printsRequestFields() throws Exception {
            LogCapture log = LogCapture.contextBacked(false);
            MdcScenarios.wrappedThreadFactory(log);
            assertRequestLine(log.line("thread"));
        }

        @Test
        @DisplayName("S3: a put in a task's context copy is not seen by the submitter afterwards")
        void submitterAfterTaskPut_taskPutsOwnId_submitterKeepsItsOwn() throws Exception {
            LogCapture log = LogCapture.contextBacked(false);
            MdcScenarios.submitterAfterTaskPut(log);
            assertThat(log.line("inner")).isEqualTo(new LogCapture.Line("task", "u-1", "t-1", "inner"));
            assertRequestLine(log.line("after"));
        }

        @Test
        @DisplayName("P2: the next task on the same pooled thread does not print the previous task's fields")
        void nextTaskOnPooledThread_previousTaskPutWithoutRemove_printsNothing() throws Exception {
            LogCapture log = LogCapture.contextBacked(false);
            MdcScenarios.nextTaskOnPooledThread(log);
            assertThat(log.line("first").requestId()).isEqualTo("first");
            assertThat(log.line("second")).isEqualTo(new LogCapture.Line("", "", "", "second"));
        }
    }

    @Nested
    @DisplayName("stock thread-local MDC (the harness sees its failures)")
    class Stock {

        @Test
        void executorHop_stockMdc_losesRequestFields() throws Exception {
            LogCapture log = LogCapture.stock(false);
            MdcScenarios.executorHop(log);
            assertThat(log.line("hop").requestId()).isEmpty();
        }

        @Test
        void futureStage_stockMdc_losesRequestFields() throws Exception {
            LogCapture log = LogCapture.stock(false);
            MdcScenarios.futureStage(log);
            assertThat(log.line("stage").requestId()).isEmpty();
        }

        @Test
        void wrappedThreadFactory_stockMdc_losesRequestFields() throws Exception {
            LogCapture log = LogCapture.stock(false);
            MdcScenarios.wrappedThreadFactory(log);
            assertThat(log.line("thread").requestId()).isEmpty();
        }

        @Test
        void submitterAfterTaskPut_stockMdc_submitterPrintsTasksId() throws Exception {
            LogCapture log = LogCapture.stock(false);
            MdcScenarios.submitterAfterTaskPut(log);
            assertThat(log.line("after").requestId()).isEqualTo("task");
        }

        @Test
        void nextTaskOnPooledThread_stockMdc_leaksPreviousTasksId() throws Exception {
            LogCapture log = LogCapture.stock(false);
            MdcScenarios.nextTaskOnPooledThread(log);
            assertThat(log.line("second").requestId()).isEqualTo("first");
        }
    }
}
