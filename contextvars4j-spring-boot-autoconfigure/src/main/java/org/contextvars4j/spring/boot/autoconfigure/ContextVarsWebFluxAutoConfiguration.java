package org.contextvars4j.spring.boot.autoconfigure;

import java.util.function.Supplier;

import org.contextvars4j.micrometer.ContextThreadLocalAccessor;
import org.contextvars4j.web.Authenticator;
import org.contextvars4j.web.RequestPolicy;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.WebFilter;

/**
 * In a reactive web application with {@code contextvars4j-micrometer} present: a
 * {@link ContextVarsWebFilter} with the settings of {@code contextvars4j.web.*} and the
 * application's {@code Authenticator<ServerHttpRequest>}, if it defines one. Reactor's automatic
 * context propagation, which carries the context across schedulers, is switched on by
 * {@link ReactorPropagationEnvironmentPostProcessor} ({@code spring.reactor.context-propagation=auto}).
 * Off with {@code contextvars4j.web.enabled=false}; backs off when the application defines a
 * {@code ContextVarsWebFilter} bean.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({WebFilter.class, ContextThreadLocalAccessor.class, RequestPolicy.class})
@ConditionalOnProperty(prefix = "contextvars4j.web", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ContextVarsProperties.class)
public final class ContextVarsWebFluxAutoConfiguration {

    /** For Spring. */
    public ContextVarsWebFluxAutoConfiguration() {
    }

    /**
     * {@return the web filter, at {@code contextvars4j.web.filter-order}}
     *
     * @param properties the settings
     * @param authenticator the application's authenticator, if it defines one
     * @param generator the application's {@code Supplier<String>} bean named
     *        {@code contextVarsRequestIdGenerator}, if it defines one: it generates the request ids
     * @throws IllegalArgumentException if a setting is malformed (the message names it)
     */
    @Bean
    @ConditionalOnMissingBean
    public ContextVarsWebFilter contextVarsWebFilter(ContextVarsProperties properties,
            ObjectProvider<Authenticator<ServerHttpRequest>> authenticator,
            @Qualifier(RequestPolicies.GENERATOR_BEAN) ObjectProvider<Supplier<String>> generator) {
        ContextVarsProperties.Web web = properties.getWeb();
        return RequestPolicies.build(ContextVarsWebFilter.builder(web.getFilterOrder()), web, authenticator, generator);
    }
}
