package org.contextvars4j.spring.boot.autoconfigure;

import java.util.Locale;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.servlet.DispatcherType;
import org.contextvars4j.LeakDetection;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Micrometer present: meter binders, which Boot binds to every meter registry it configures,
 * for what the library counts.
 * <ul>
 *   <li>{@value #LEAK_REPORTS}, a function counter per {@link LeakDetection.Kind} (tag
 *       {@code kind}, lowercase): the reports {@link LeakDetection} made in this JVM, read from
 *       {@link LeakDetection#reportCount}, whatever listener received them. It stays 0 while leak
 *       detection is off.</li>
 *   <li>{@value #SCOPES_OPEN}, a gauge: the requests inside the request filter's per-request
 *       context right now (servlet dispatches, or WebFlux exchanges), counted by a filter right
 *       after the request filter. Registered when the request filter is.</li>
 * </ul>
 * The baggage drops counter is {@link ContextVarsBaggageAutoConfiguration}'s. Off with
 * {@code contextvars4j.metrics.enabled=false}; each binder backs off when the application defines
 * a bean of its name.
 */
@AutoConfiguration(after = {ContextVarsServletAutoConfiguration.class, ContextVarsWebFluxAutoConfiguration.class})
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnProperty(prefix = "contextvars4j.metrics", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ContextVarsProperties.class)
public final class ContextVarsMetricsAutoConfiguration {

    /** The leak reports counter's name. */
    static final String LEAK_REPORTS = "contextvars4j.leak.reports";

    /** The open scopes gauge's name. */
    static final String SCOPES_OPEN = "contextvars4j.scopes.open";

    /** For Spring. */
    public ContextVarsMetricsAutoConfiguration() {
    }

    /**
     * {@return the binder of the counter {@value #LEAK_REPORTS}, one per kind of leak}
     */
    @Bean
    @ConditionalOnMissingBean(name = "contextVarsLeakMetrics")
    public MeterBinder contextVarsLeakMetrics() {
        return registry -> {
            for (LeakDetection.Kind kind : LeakDetection.Kind.values()) {
                FunctionCounter.builder(LEAK_REPORTS, kind, LeakDetection::reportCount)
                        .description("leak reports of contextvars4j's leak detection, by kind")
                        .tag("kind", kind.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
        };
    }

    /** The gauge of open request scopes in a servlet application. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({FilterRegistrationBean.class, DispatcherType.class})
    @ConditionalOnBean(name = "contextVarsRequestScopeFilter")
    static final class Servlet {

        private final OpenScopes scopes = new OpenScopes();

        /**
         * {@return the registration of the counting filter, three places after the request
         * filter, for every dispatch the request filter sees}
         *
         * @param properties the settings, for the request filter's order
         */
        @Bean
        FilterRegistrationBean<OpenScopesFilter> contextVarsOpenScopesFilter(ContextVarsProperties properties) {
            FilterRegistrationBean<OpenScopesFilter> registration = new FilterRegistrationBean<>(new OpenScopesFilter(scopes));
            registration.setName("contextVarsOpenScopesFilter");
            registration.setOrder(properties.getWeb().getFilterOrder() + 3);
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
            registration.setAsyncSupported(true);
            return registration;
        }

        /** {@return the binder of the gauge {@value #SCOPES_OPEN}} */
        @Bean
        @ConditionalOnMissingBean(name = "contextVarsScopeMetrics")
        MeterBinder contextVarsScopeMetrics() {
            return registry -> gauge(registry, scopes);
        }
    }

    /** The gauge of open request scopes in a WebFlux application. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
    @ConditionalOnBean(type = "org.contextvars4j.spring.boot.autoconfigure.ContextVarsWebFilter")
    static final class Reactive {

        private final OpenScopes scopes = new OpenScopes();

        /**
         * {@return the counting web filter, three places after the request filter}
         *
         * @param properties the settings, for the request filter's order
         */
        @Bean
        OpenScopesWebFilter contextVarsOpenScopesWebFilter(ContextVarsProperties properties) {
            return new OpenScopesWebFilter(scopes, properties.getWeb().getFilterOrder() + 3);
        }

        /** {@return the binder of the gauge {@value #SCOPES_OPEN}} */
        @Bean
        @ConditionalOnMissingBean(name = "contextVarsScopeMetrics")
        MeterBinder contextVarsScopeMetrics() {
            return registry -> gauge(registry, scopes);
        }
    }

    private static void gauge(MeterRegistry registry, OpenScopes scopes) {
        Gauge.builder(SCOPES_OPEN, scopes, OpenScopes::count)
                .description("requests inside the contextvars4j request filter's per-request context right now")
                .register(registry);
    }
}
