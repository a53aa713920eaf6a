package org.contextvars4j.spring.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.servlet.DispatcherType;
import org.contextvars4j.ContextVar;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.contextvars4j.opentelemetry.DropReason;
import org.contextvars4j.opentelemetry.ServletPropagationFilter;
import org.contextvars4j.opentelemetry.VarBaggagePropagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * With {@code contextvars4j-opentelemetry} on the class path (which also installs the
 * OpenTelemetry bridge, {@code ContextVarsStorageProvider}, through its service file): a
 * {@link VarBaggagePropagator} bean whose allow-list is {@code contextvars4j.baggage.allow}, an
 * interceptor on {@code RestClient} and {@code RestTemplate} builders and a filter on
 * {@code WebClient} builders that send the allowed vars in the {@code baggage} header, and a
 * filter right after the request filter (a servlet filter, or a {@code WebFilter} in WebFlux)
 * that reads them from inbound requests. The propagator is a {@link TextMapPropagator}
 * bean, so Boot's OpenTelemetry support composes it into its propagators as well. Off with
 * {@code contextvars4j.baggage.enabled=false}; backs off when the application defines a
 * {@code VarBaggagePropagator} bean (then used by the interceptor and the filter) or registers a
 * {@code ServletPropagationFilter} itself.
 */
@AutoConfiguration(after = ContextVarsServletAutoConfiguration.class)
@ConditionalOnClass({VarBaggagePropagator.class, TextMapPropagator.class})
@ConditionalOnProperty(prefix = "contextvars4j.baggage", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ContextVarsProperties.class)
public final class ContextVarsBaggageAutoConfiguration {

    /** For Spring. */
    public ContextVarsBaggageAutoConfiguration() {
    }

    /**
     * {@return the propagator of the allowed vars}
     *
     * @param properties the settings, for the allow-list and the prefix
     * @param vars the application's {@code ContextVar<String>} beans, among which the allowed
     *        names are looked up
     * @throws IllegalArgumentException if an allowed name is not the name of a
     *         {@code ContextVar<String>} bean, or the prefix is not a valid baggage key start
     */
    @Bean
    @ConditionalOnMissingBean
    public VarBaggagePropagator contextVarsBaggagePropagator(ContextVarsProperties properties,
            ObjectProvider<ContextVar<String>> vars) {
        ContextVarsProperties.Baggage baggage = properties.getBaggage();
        Map<String, ContextVar<String>> byName = new LinkedHashMap<>();
        vars.orderedStream().forEach(var -> byName.putIfAbsent(var.name(), var));
        VarBaggagePropagator.Builder builder = VarBaggagePropagator.builder().prefix(baggage.getPrefix());
        List<String> allow = baggage.getAllow();
        for (String name : allow) {
            ContextVar<String> var = byName.get(name);
            if (var == null) {
                throw new IllegalArgumentException("contextvars4j.baggage.allow names \"" + name
                        + "\", which is not the name of a ContextVar<String> bean (known: " + byName.keySet() + ")");
            }
            builder.allow(var);
        }
        return builder.build();
    }

    /** Outbound: the vars go into the baggage header of {@code RestClient} and {@code RestTemplate} calls. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RestClientCustomizer.class)
    static final class Clients {

        /**
         * {@return the customizer that adds the baggage interceptor to {@code RestClient} builders}
         *
         * @param propagator the propagator
         */
        @Bean
        @ConditionalOnMissingBean(name = "contextVarsBaggageRestClientCustomizer")
        RestClientCustomizer contextVarsBaggageRestClientCustomizer(VarBaggagePropagator propagator) {
            BaggageInterceptor interceptor = new BaggageInterceptor(propagator);
            return builder -> builder.requestInterceptor(interceptor);
        }

        /**
         * {@return the customizer that adds the baggage interceptor to {@code RestTemplate}s}
         *
         * @param propagator the propagator
         */
        @Bean
        @ConditionalOnMissingBean(name = "contextVarsBaggageRestTemplateCustomizer")
        RestTemplateCustomizer contextVarsBaggageRestTemplateCustomizer(VarBaggagePropagator propagator) {
            BaggageInterceptor interceptor = new BaggageInterceptor(propagator);
            return template -> template.getInterceptors().add(interceptor);
        }
    }

    /**
     * Outbound: the vars go into the baggage header of {@code WebClient} calls made with
     * Boot's {@code WebClient.Builder}.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({WebClientCustomizer.class, WebClient.class})
    @ConditionalOnProperty(prefix = "contextvars4j.baggage.web-client", name = "enabled", matchIfMissing = true)
    static final class WebClients {

        /**
         * {@return the customizer that adds the baggage filter to {@code WebClient} builders}
         *
         * @param propagator the propagator
         */
        @Bean
        @ConditionalOnMissingBean(name = "contextVarsBaggageWebClientCustomizer")
        WebClientCustomizer contextVarsBaggageWebClientCustomizer(VarBaggagePropagator propagator) {
            BaggageExchangeFilter filter = new BaggageExchangeFilter(propagator,
                    ClassUtils.isPresent(MICROMETER_ACCESSOR, WebClients.class.getClassLoader()));
            return builder -> builder.filter(filter);
        }

        private static final String MICROMETER_ACCESSOR = "org.contextvars4j.micrometer.ContextThreadLocalAccessor";
    }

    /** Inbound in WebFlux: a web filter reads the vars from each exchange's baggage header. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = {"org.springframework.web.server.WebFilter", "org.contextvars4j.micrometer.ContextThreadLocalAccessor"})
    static final class Reactive {

        /**
         * {@return the web filter that extracts the vars, two places after the request filter,
         * so that it extends the exchange's context}
         *
         * @param propagator the propagator
         * @param properties the settings, for the request filter's order
         */
        @Bean
        @ConditionalOnMissingBean(name = "contextVarsBaggageWebFilter")
        BaggageWebFilter contextVarsBaggageWebFilter(VarBaggagePropagator propagator, ContextVarsProperties properties) {
            return new BaggageWebFilter(propagator, properties.getWeb().getFilterOrder() + 2);
        }
    }

    /** Metrics: the propagator's drops, when Micrometer is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static final class Metrics {

        /**
         * {@return the binder of the counter {@value #DROPS}, one per {@link DropReason} (tag
         * {@code reason}), which Boot binds to every meter registry it configures}
         *
         * @param propagator the propagator whose drops are counted
         */
        @Bean
        @ConditionalOnMissingBean(name = "contextVarsBaggageMetrics")
        MeterBinder contextVarsBaggageMetrics(VarBaggagePropagator propagator) {
            return registry -> {
                for (DropReason reason : DropReason.values()) {
                    FunctionCounter.builder(DROPS, propagator, p -> p.dropCount(reason))
                            .description("inbound baggage entries of contextvars4j vars dropped, by reason")
                            .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                            .register(registry);
                }
            };
        }

        /** The counter's name. */
        static final String DROPS = "contextvars4j.baggage.drops";
    }

    /** Inbound: a servlet filter reads the vars from each request's baggage header. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({ServletPropagationFilter.class, FilterRegistrationBean.class, DispatcherType.class})
    static final class Servlet {

        /**
         * {@return the registration of the filter that extracts the vars, two places after the
         * request filter (after the MDC filter), so that it runs inside the request's context}
         *
         * @param propagator the propagator
         * @param properties the settings, for the request filter's order
         */
        @Bean
        @ConditionalOnMissingFilterBean(ServletPropagationFilter.class)
        FilterRegistrationBean<ServletPropagationFilter> contextVarsBaggageFilter(VarBaggagePropagator propagator,
                ContextVarsProperties properties) {
            FilterRegistrationBean<ServletPropagationFilter> registration =
                    new FilterRegistrationBean<>(ServletPropagationFilter.of(propagator));
            registration.setName("contextVarsBaggageFilter");
            registration.setOrder(properties.getWeb().getFilterOrder() + 2);
            registration.setDispatcherTypes(DispatcherType.REQUEST);
            registration.setAsyncSupported(true);
            return registration;
        }
    }
}
