package org.contextvars4j.spring.boot.autoconfigure;

import org.contextvars4j.web.RequestVars;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Sends the current request id ({@link RequestVars#REQUEST_ID}) in the request-id header of
 * every call made with a {@code RestClient} or {@code RestTemplate} built from Boot's builders,
 * so that the called service's request filter continues it. Off with
 * {@code contextvars4j.web.propagate-request-id=false}; backs off per customizer bean name.
 */
@AutoConfiguration
@ConditionalOnClass({RequestVars.class, RestClientCustomizer.class})
@ConditionalOnProperty(prefix = "contextvars4j.web", name = "propagate-request-id", matchIfMissing = true)
@EnableConfigurationProperties(ContextVarsProperties.class)
public final class ContextVarsRestClientAutoConfiguration {

    /** For Spring. */
    public ContextVarsRestClientAutoConfiguration() {
    }

    /**
     * {@return the customizer that adds the request-id interceptor to {@code RestClient} builders}
     *
     * @param properties the settings, for the header's name
     */
    @Bean
    @ConditionalOnMissingBean(name = "contextVarsRestClientCustomizer")
    public RestClientCustomizer contextVarsRestClientCustomizer(ContextVarsProperties properties) {
        RequestIdInterceptor interceptor = new RequestIdInterceptor(properties.getWeb().getRequestIdHeader());
        return builder -> builder.requestInterceptor(interceptor);
    }

    /**
     * {@return the customizer that adds the request-id interceptor to {@code RestTemplate}s}
     *
     * @param properties the settings, for the header's name
     */
    @Bean
    @ConditionalOnMissingBean(name = "contextVarsRestTemplateCustomizer")
    public RestTemplateCustomizer contextVarsRestTemplateCustomizer(ContextVarsProperties properties) {
        RequestIdInterceptor interceptor = new RequestIdInterceptor(properties.getWeb().getRequestIdHeader());
        return template -> template.getInterceptors().add(interceptor);
    }
}
