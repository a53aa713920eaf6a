package org.contextvars4j.spring.boot.autoconfigure;

import jakarta.servlet.DispatcherType;
import org.contextvars4j.web.RequestVars;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;

/**
 * Spring Security in a servlet application: a filter right after Spring Security's chain
 * (order {@code contextvars4j.security.filter-order}, default -99) makes the authenticated
 * principal the request's {@link RequestVars#USER}. Off with
 * {@code contextvars4j.security.enabled=false}.
 *
 * <p>Opt-in, with {@code contextvars4j.security.context-holder=context-var}:
 * {@link ContextVarSecurityContextHolderStrategy} becomes the {@link SecurityContextHolderStrategy}
 * bean (which Spring Security's configurers use) and {@link SecurityContextHolder}'s global
 * strategy while the application runs. It is not the default because it changes a JVM-wide
 * setting that other code may rely on. It backs off when the application defines its own
 * strategy bean.
 */
@AutoConfiguration(after = ContextVarsServletAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({RequestVars.class, FilterRegistrationBean.class, SecurityContextHolder.class})
@ConditionalOnProperty(prefix = "contextvars4j.security", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ContextVarsProperties.class)
public final class ContextVarsSecurityAutoConfiguration {

    /** For Spring. */
    public ContextVarsSecurityAutoConfiguration() {
    }

    /**
     * {@return the registration of the filter that makes the principal the user var}
     *
     * @param properties the settings, for the order
     * @param strategy the application's security context holder strategy, if it defines one
     */
    @Bean
    @ConditionalOnMissingFilterBean(PrincipalUserFilter.class)
    FilterRegistrationBean<PrincipalUserFilter> contextVarsPrincipalUserFilter(ContextVarsProperties properties,
            ObjectProvider<SecurityContextHolderStrategy> strategy) {
        FilterRegistrationBean<PrincipalUserFilter> registration = new FilterRegistrationBean<>(
                new PrincipalUserFilter(strategy.getIfUnique(SecurityContextHolder::getContextHolderStrategy)));
        registration.setName("contextVarsPrincipalUserFilter");
        registration.setOrder(properties.getSecurity().getFilterOrder());
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        registration.setAsyncSupported(true);
        return registration;
    }

    /** The opt-in holder strategy. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "contextvars4j.security", name = "context-holder", havingValue = "context-var")
    static final class HolderStrategy {

        /** {@return the strategy, as the bean Spring Security's configurers use} */
        @Bean
        @ConditionalOnMissingBean(SecurityContextHolderStrategy.class)
        ContextVarSecurityContextHolderStrategy contextVarSecurityContextHolderStrategy() {
            return ContextVarSecurityContextHolderStrategy.create();
        }

        /**
         * {@return the bean that makes the strategy {@link SecurityContextHolder}'s global one while the application runs}
         *
         * @param strategy the strategy
         */
        @Bean
        static GlobalStrategy contextVarsGlobalSecurityStrategy(ObjectProvider<ContextVarSecurityContextHolderStrategy> strategy) {
            return new GlobalStrategy(strategy);
        }
    }

    /** Installs the strategy globally on start and puts the previous one back on close. */
    static final class GlobalStrategy implements InitializingBean, DisposableBean {

        private final ObjectProvider<ContextVarSecurityContextHolderStrategy> strategy;
        private SecurityContextHolderStrategy previous;

        GlobalStrategy(ObjectProvider<ContextVarSecurityContextHolderStrategy> strategy) {
            this.strategy = strategy;
        }

        @Override
        public void afterPropertiesSet() {
            ContextVarSecurityContextHolderStrategy mine = strategy.getIfAvailable();
            if (mine != null) {
                previous = SecurityContextHolder.getContextHolderStrategy();
                SecurityContextHolder.setContextHolderStrategy(mine);
            }
        }

        @Override
        public void destroy() {
            if (previous != null) {
                SecurityContextHolder.setContextHolderStrategy(previous);
                previous = null;
            }
        }
    }
}
