package org.contextvars4j.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Makes the MDC travel with the context when SLF4J's MDC is a thread-local map (Logback and
 * Log4j 2 as Boot configures them, with no system property): the MDC is captured at every
 * hand-off ({@code @Async}, schedulers, {@code ContextExecutors}, virtual threads started with
 * {@code ContextThreads}) and a pooled thread gets its own MDC back after each task. With the
 * context-backed MDC of {@code contextvars4j-slf4j} selected, it does nothing: that MDC already
 * lives in the context. Together with the MDC fields the servlet auto-configuration puts per
 * request and the default {@code logging.pattern.correlation} this module contributes, every log
 * line of a request shows its id and user. Off with {@code contextvars4j.logging.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.slf4j.MDC")
@ConditionalOnProperty(prefix = "contextvars4j.logging", name = "enabled", matchIfMissing = true)
public final class ContextVarsLoggingAutoConfiguration {

    /** For Spring. */
    public ContextVarsLoggingAutoConfiguration() {
    }

    /** {@return the bean that registers the MDC's accessor for as long as the application runs} */
    @Bean
    static MdcBridge contextVarsMdcBridge() {
        return new MdcBridge();
    }
}
