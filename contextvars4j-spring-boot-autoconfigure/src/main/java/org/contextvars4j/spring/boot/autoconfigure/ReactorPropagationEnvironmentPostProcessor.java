package org.contextvars4j.spring.boot.autoconfigure;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Gives {@code spring.reactor.context-propagation} the default {@code auto} in a reactive web
 * application when Reactor and {@code contextvars4j-micrometer} are present, at the lowest precedence: Boot then calls
 * {@code Hooks.enableAutomaticContextPropagation()}, and every Reactor operator, on whichever
 * scheduler, runs in a copy of the contextvars4j context held in the Reactor context. An
 * application that sets the property itself (for example to {@code limited}) wins; so does
 * {@code contextvars4j.reactor.automatic-context-propagation=false}.
 */
public final class ReactorPropagationEnvironmentPostProcessor implements EnvironmentPostProcessor {

    /** The name of the property source this adds. */
    static final String SOURCE = "contextvars4j-reactor-defaults";

    /** For Spring's factories loader. */
    public ReactorPropagationEnvironmentPostProcessor() {
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        ClassLoader loader = application == null ? null : application.getClassLoader();
        if (!environment.getProperty("contextvars4j.reactor.automatic-context-propagation", Boolean.class, true)
                || environment.containsProperty("spring.reactor.context-propagation")
                || !ClassUtils.isPresent("reactor.core.publisher.Hooks", loader)
                || !ClassUtils.isPresent("org.contextvars4j.micrometer.ContextThreadLocalAccessor", loader)
                || !reactive(environment, application)) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of("spring.reactor.context-propagation", "auto")));
    }

    /** Whether the application will be a reactive web application (the setting, else Boot's deduction). */
    private static boolean reactive(ConfigurableEnvironment environment, SpringApplication application) {
        WebApplicationType type = environment.getProperty("spring.main.web-application-type", WebApplicationType.class);
        if (type == null && application != null) {
            type = application.getWebApplicationType();
        }
        return type == null || type == WebApplicationType.REACTIVE;
    }
}
