package org.contextvars4j.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.contextvars4j.ContextExecutors;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** P1/P2 on virtual threads (JDK 21+): a virtual thread per task prints the submitter's fields. */
@ExtendWith({ContextLeakGuard.class, MdcScenarios.ExposedTenant.class})
class ContextMdcVirtualThreadTest {

    private static void logOnVirtualThread(LogCapture log) throws Exception {
        try (ExecutorService virtual = ContextExecutors.wrap(Executors.newVirtualThreadPerTaskExecutor())) {
            MdcScenarios.request(log, l -> virtual.submit(() -> l.logger.info("virtual")).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    @DisplayName("P1/P2: a task on a virtual thread prints the submitter's MDC and exposed var")
    void virtualThread_wrappedExecutor_printsRequestFields() throws Exception {
        LogCapture log = LogCapture.contextBacked(false);
        logOnVirtualThread(log);
        assertThat(log.line("virtual")).isEqualTo(new LogCapture.Line("r-1", "u-1", "t-1", "virtual"));
    }

    @Test
    void virtualThread_stockMdc_losesRequestFields() throws Exception {
        LogCapture log = LogCapture.stock(false);
        logOnVirtualThread(log);
        assertThat(log.line("virtual").requestId()).isEmpty();
    }
}
