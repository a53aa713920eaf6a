package org.contextvars4j.spring.boot.autoconfigure;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives {@code logging.pattern.correlation} a default that prints the request id and user
 * ({@code contextvars4j.logging.pattern}), at the lowest precedence: any value the application
 * sets wins. Boot's default Logback and Log4j 2 patterns print the correlation pattern after the
 * thread name. Runs before the logging system is initialised.
 */
public final class LoggingPatternEnvironmentPostProcessor implements EnvironmentPostProcessor {

    /** The name of the property source this adds. */
    static final String SOURCE = "contextvars4j-logging-defaults";

    /** For Spring's factories loader. */
    public LoggingPatternEnvironmentPostProcessor() {
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty("contextvars4j.logging.enabled", Boolean.class, true)
                || environment.containsProperty("logging.pattern.correlation")) {
            return;
        }
        String pattern = environment.getProperty("contextvars4j.logging.pattern", "[%X{request_id} %X{user}] ");
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of("logging.pattern.correlation", pattern)));
    }
}
