package org.contextvars4j.spring.boot.autoconfigure;

import java.util.function.Supplier;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import org.contextvars4j.servlet.RequestScopeFilter;
import org.contextvars4j.web.Authenticator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers {@link RequestScopeFilter} in a servlet application (Tomcat, Jetty, ...), for the
 * {@code REQUEST}, {@code ASYNC} and {@code ERROR} dispatches, at
 * {@code contextvars4j.web.filter-order} ({@link ContextVarsProperties#DEFAULT_FILTER_ORDER} by
 * default): each request runs in a fresh context holding its request id and user, and async
 * processing ({@code DeferredResult}, {@code Callable}, {@code AsyncContext.start}) keeps it.
 * An {@link Authenticator} bean of the application is used by the filter. When SLF4J is present,
 * a second filter right after it puts the request id and user into the MDC of the request.
 *
 * <p>Off with {@code contextvars4j.web.enabled=false}; backs off when the application registers
 * a {@code RequestScopeFilter} itself (as a bean or in a {@code FilterRegistrationBean}).
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({RequestScopeFilter.class, FilterRegistrationBean.class})
@ConditionalOnProperty(prefix = "contextvars4j.web", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ContextVarsProperties.class)
public final class ContextVarsServletAutoConfiguration {

    /** For Spring. */
    public ContextVarsServletAutoConfiguration() {
    }

    /**
     * {@return the request filter's registration}
     *
     * @param properties the settings
     * @param authenticator the application's authenticator, if it defines one
     * @param generator the application's {@code Supplier<String>} bean named
     *        {@code contextVarsRequestIdGenerator}, if it defines one: it generates the request ids
     * @throws IllegalArgumentException if a setting is malformed (the message names it)
     */
    @Bean
    @ConditionalOnMissingFilterBean(RequestScopeFilter.class)
    public FilterRegistrationBean<RequestScopeFilter> contextVarsRequestScopeFilter(
            ContextVarsProperties properties, ObjectProvider<Authenticator<HttpServletRequest>> authenticator,
            @Qualifier(RequestPolicies.GENERATOR_BEAN) ObjectProvider<Supplier<String>> generator) {
        ContextVarsProperties.Web web = properties.getWeb();
        RequestScopeFilter filter = RequestPolicies.build(RequestScopeFilter.builder(), web, authenticator, generator);
        FilterRegistrationBean<RequestScopeFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("contextVarsRequestScopeFilter");
        registration.setOrder(web.getFilterOrder());
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        registration.setAsyncSupported(true);
        return registration;
    }

    /** The MDC fields of each request, when SLF4J is present and logging is on. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.slf4j.MDC")
    @ConditionalOnProperty(prefix = "contextvars4j.logging", name = "enabled", matchIfMissing = true)
    static final class MdcFields {

        /**
         * {@return the registration of the filter that puts the request id and user into the MDC}
         *
         * @param properties the settings, for the request filter's order
         */
        @Bean
        @ConditionalOnMissingFilterBean(MdcFieldsFilter.class)
        FilterRegistrationBean<MdcFieldsFilter> contextVarsMdcFieldsFilter(ContextVarsProperties properties) {
            FilterRegistrationBean<MdcFieldsFilter> registration = new FilterRegistrationBean<>(new MdcFieldsFilter());
            registration.setName("contextVarsMdcFieldsFilter");
            registration.setOrder(properties.getWeb().getFilterOrder() + 1);
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
            registration.setAsyncSupported(true);
            return registration;
        }
    }
}
