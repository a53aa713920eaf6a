package org.contextvars4j.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 1,000 concurrent requests of 20 lines each through a pool of 8 threads, every printed line
 * parsed (S7, P2, P3): none may carry another request's id, user or tenant, with a synchronous
 * appender and through Logback's {@code AsyncAppender}. The stock MDC, run the same way, prints
 * wrong lines.
 */
@ExtendWith({ContextLeakGuard.class, MdcScenarios.ExposedTenant.class})
class ContextMdcConcurrencyTest {

    @Test
    @DisplayName("S7/P2/P3: 1,000 requests x 20 lines, 8 threads: no line carries another request's fields")
    void concurrentRequests_contextMdc_everyLineCarriesItsOwnRequest() throws Exception {
        List<LogCapture.Line> wrong = MdcScenarios.concurrentRequests(LogCapture.contextBacked(false), 1_000, 20);
        assertThat(wrong).isEmpty();
    }

    @Test
    @DisplayName("S7/P3: through an AsyncAppender, every line prints the fields it was logged with")
    void concurrentRequests_asyncAppender_everyLineCarriesItsOwnRequest() throws Exception {
        List<LogCapture.Line> wrong = MdcScenarios.concurrentRequests(LogCapture.contextBacked(true), 1_000, 20);
        assertThat(wrong).isEmpty();
    }

    @Test
    @DisplayName("the same load with the stock thread-local MDC prints lines with wrong fields")
    void concurrentRequests_stockMdc_printsWrongLines() throws Exception {
        List<LogCapture.Line> wrong = MdcScenarios.concurrentRequests(LogCapture.stock(false), 1_000, 20);
        assertThat(wrong).hasSizeGreaterThanOrEqualTo(1_000);
    }
}
