package org.contextvars4j.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A JVM without {@code -Dslf4j.provider}, where SLF4J binds Logback's own provider (the
 * surefire execution "stock-binding"), as a new user's first run: exposed vars still print, and
 * the one notice says what does not follow contexts and which property changes that.
 */
@ExtendWith(ContextLeakGuard.class)
class LogbackStockBindingTest {

    private static final ContextVar<String> USER = ContextVar.of("user");

    private static List<String> notices;

    @BeforeAll
    static void exposeAtStartup() {
        CollectedEvents said = CollectedEvents.only((Logger) LoggerFactory.getLogger(ContextMdc.class));
        ContextMdc.expose("user", USER);
        ContextMdc.expose("user", USER);
        ContextMdc.putCloseable("step", "startup").close();
        notices = said.lines();
    }

    @AfterAll
    static void unexpose() {
        ContextMdc.unexpose("user");
    }

    @Test
    @DisplayName("Logback's own provider is bound here, with its thread-local MDC for MDC.put")
    void binding_noProperty_logbackOwnMdc() {
        assertThat(MDC.getMDCAdapter()).isExactlyInstanceOf(LogbackMDCAdapter.class);
    }

    @Test
    @DisplayName("exposing twice and putCloseable: exactly one notice, naming the exact property")
    void expose_logbackOwnProvider_oneNoticeNamingProperty() {
        assertThat(notices).singleElement().satisfies(line -> assertThat(line).startsWith("WARN ")
                .contains("-Dslf4j.provider=org.contextvars4j.slf4j.ContextLogbackServiceProvider"));
    }

    @Test
    @DisplayName("with no system property, an exposed var prints beside Logback's own MDC entries")
    void log_exposedVarNoProperty_eventHasVarAndStockEntries() {
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        CollectedEvents events = CollectedEvents.only(logback.getLogger("stock-binding"));
        new Context().run(() -> {
            USER.set("alice");
            MDC.put("request_id", "r-1");
            try {
                LoggerFactory.getLogger("stock-binding").info("hello");
            } finally {
                MDC.remove("request_id");
            }
        });
        LoggerFactory.getLogger("stock-binding").info("no user");
        assertThat(events.list.get(0).getMDCPropertyMap()).isEqualTo(Map.of("user", "alice", "request_id", "r-1"));
        assertThat(events.list.get(1).getMDCPropertyMap()).isEmpty();
    }
}
