package org.contextvars4j.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.contextvars4j.Context;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

/** The example of docs/logging.md, compiled and run: keep the two identical. */
@ExtendWith(ContextLeakGuard.class)
class LoggingQuickstartTest {

    static final ContextVar<String> USER = ContextVar.of("user");

    @Test
    void quickstart_docsExample_printsFieldsInPool() throws Exception {
        LogCapture capture = LogCapture.contextBacked(false);   // the test's in-memory appender
        org.slf4j.Logger log = capture.logger;

        // --- docs/logging.md: begin
        ContextMdc.expose("user", USER);              // once, at startup: %X{user} reads the var
        ExecutorService pool = ContextExecutors.wrap(Executors.newFixedThreadPool(8));

        new Context().run(() -> {                     // one request, in a context of its own
            MDC.put("request_id", "r-42");
            try (Token<String> t = USER.set("ada")) {
                pool.submit(() -> log.info("charging")); // prints request_id=r-42 user=ada
            }
        });                                           // no MDC.clear() needed: nothing leaks
        // --- docs/logging.md: end

        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        ContextMdc.unexpose("user");
        assertThat(capture.line("charging")).isEqualTo(new LogCapture.Line("r-42", "ada", "", "charging"));
    }
}
