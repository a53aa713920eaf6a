package org.contextvars4j.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * The switch is never silent: what {@link Binding} says, and does, for each MDC SLF4J may have
 * bound. The notices go to a captured Logback logger of a private logger context, never to the
 * console. (LogbackStockBindingTest checks the same in a JVM where Logback's own provider is bound.)
 */
@ExtendWith(ContextLeakGuard.class)
class BindingTest {

    private static final String PROPERTY = "-Dslf4j.provider=org.contextvars4j.slf4j.ContextLogbackServiceProvider";

    private LoggerContext notices;
    private CollectedEvents said;
    private Logger log;

    @BeforeEach
    void setUp() {
        notices = new LoggerContext();
        notices.setMDCAdapter(new LogbackMDCAdapter());
        notices.start();
        log = notices.getLogger(ContextMdc.class);
        said = CollectedEvents.only(log);
    }

    @AfterEach
    void tearDown() {
        notices.stop();
    }

    @Test
    @DisplayName("the context-backed MDC bound (the tests' own JVM): nothing to say")
    void report_contextMdcBound_saysNothing() {
        Binding.report(ContextMdc.mdcAdapter(), LoggerFactory.getILoggerFactory(), log);
        assertThat(MDCBound.isContextBacked()).isTrue();
        assertThat(said.lines()).isEmpty();
    }

    @Test
    @DisplayName("another SLF4J binding: one WARN naming the binding and the exact property")
    void report_otherBinding_warnsNamingProperty() {
        Binding.report(new BasicMDCAdapter(), new NOPLoggerFactory(), log);
        assertThat(said.lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("WARN ").contains("NOPLoggerFactory", "BasicMDCAdapter", PROPERTY));
    }

    @Test
    @DisplayName("Logback's own provider: its context gets the exposed vars, said once at WARN with the property")
    void report_logbackOwnAdapter_exposesThroughItOnce() {
        LoggerContext logback = new LoggerContext();
        LogbackMDCAdapter stock = new LogbackMDCAdapter();
        logback.setMDCAdapter(stock);
        Binding.report(stock, logback, log);
        Binding.report(stock, logback, log);
        assertThat(logback.getMDCAdapter()).isInstanceOf(ExposingMdcAdapter.class);
        assertThat(said.lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("WARN ").contains("MDC.put entries stay thread-local", PROPERTY));
    }

    /** What the static MDC is bound to in this JVM. */
    private static final class MDCBound {
        static boolean isContextBacked() {
            return org.slf4j.MDC.getMDCAdapter() == ContextMdc.mdcAdapter();
        }
    }
}
