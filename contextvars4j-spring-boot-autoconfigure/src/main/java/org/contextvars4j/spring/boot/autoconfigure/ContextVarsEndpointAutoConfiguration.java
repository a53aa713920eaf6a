package org.contextvars4j.spring.boot.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;

/**
 * The {@code contextvars4j} actuator endpoint, when Spring Boot Actuator is present and the
 * endpoint is available (exposed with {@code management.endpoints.web.exposure.include=contextvars4j}
 * for HTTP). Backs off when the application defines a {@link ContextVarsEndpoint} bean.
 */
@AutoConfiguration
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@EnableConfigurationProperties(ContextVarsProperties.class)
public final class ContextVarsEndpointAutoConfiguration {

    /** For Spring. */
    public ContextVarsEndpointAutoConfiguration() {
    }

    /**
     * {@return the endpoint}
     *
     * @param properties the settings
     * @param decorators the application's task decorators
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint // on the method: on the class, it would be read before the class check
    public ContextVarsEndpoint contextVarsEndpoint(ContextVarsProperties properties, ObjectProvider<TaskDecorator> decorators) {
        return ContextVarsEndpoint.of(properties, decorators);
    }
}
