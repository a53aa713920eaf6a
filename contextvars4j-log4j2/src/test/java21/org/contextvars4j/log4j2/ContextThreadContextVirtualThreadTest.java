package org.contextvars4j.log4j2;

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
@ExtendWith({ContextLeakGuard.class, Scenarios.ExposedTenant.class})
class ContextThreadContextVirtualThreadTest {

    @Test
    @DisplayName("P1/P2: a task on a virtual thread prints the submitter's thread context and exposed var")
    void virtualThread_wrappedExecutor_printsRequestFields() throws Exception {
        try (LogCapture log = new LogCapture(false);
                ExecutorService virtual = ContextExecutors.wrap(Executors.newVirtualThreadPerTaskExecutor())) {
            Scenarios.request(() -> virtual.submit(() -> log.logger.info("virtual")).get(30, TimeUnit.SECONDS));
            assertThat(log.line("virtual")).isEqualTo(new LogCapture.Line("r-1", "u-1", "t-1", "virtual"));
        }
    }
}
