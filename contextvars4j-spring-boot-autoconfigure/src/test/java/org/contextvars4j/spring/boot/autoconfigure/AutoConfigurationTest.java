package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import org.contextvars4j.ContextVar;
import org.contextvars4j.ThreadLocalAccessors;
import org.contextvars4j.micrometer.ContextThreadLocalAccessor;
import org.contextvars4j.opentelemetry.ServletPropagationFilter;
import org.contextvars4j.opentelemetry.VarBaggagePropagator;
import org.contextvars4j.Token;
import org.contextvars4j.servlet.RequestScopeFilter;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.Authenticator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;

/**
 * Each auto-configuration applies when its classes are present, backs off when the application
 * defines the bean or switches it off, and stays off when its class is missing.
 */
@ExtendWith(ContextLeakGuard.class)
class AutoConfigurationTest {

    static final ContextVar<String> TENANT = ContextVar.of("tenant");

    @Nested
    class Executors {

        private final ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsExecutorAutoConfiguration.class,
                        TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class))
                .withUserConfiguration(Scheduling.class);

        @Test
        void decorator_default_bootsExecutorAndSchedulerCarryTheContext() {
            runner.run(context -> {
                assertThat(context).hasSingleBean(ContextVarsTaskDecorator.class);
                assertThat(carried(context.getBean(ThreadPoolTaskExecutor.class)::submit)).isEqualTo("acme");
                assertThat(carried(context.getBean(ThreadPoolTaskScheduler.class)::submit)).isEqualTo("acme");
            });
        }

        @Test
        void decorator_userDecoratorToo_bothApplyOursOutermost() {
            runner.withBean("userDecorator", TaskDecorator.class, () -> task -> () -> {
                TENANT.set("seen by user " + TENANT.orElse("nothing"));   // a set in the task's own copy
                task.run();
            }).run(context -> assertThat(carried(context.getBean(ThreadPoolTaskExecutor.class)::submit))
                    .isEqualTo("seen by user acme"));
        }

        @Test
        void decorator_userDefinesOne_backsOff() {
            runner.withBean("mine", ContextVarsTaskDecorator.class, ContextVarsTaskDecorator::create)
                    .run(context -> assertThat(context).hasSingleBean(ContextVarsTaskDecorator.class)
                            .hasBean("mine").doesNotHaveBean("contextVarsTaskDecorator"));
        }

        @Test
        void decorator_switchedOff_bootsExecutorDoesNotCarry() {
            runner.withPropertyValues("contextvars4j.executors.enabled=false").run(context -> {
                assertThat(context).doesNotHaveBean(ContextVarsTaskDecorator.class);
                assertThat(carried(context.getBean(ThreadPoolTaskExecutor.class)::submit)).isEqualTo("nothing");
            });
        }

        @Test
        void decorator_taskDecoratorClassMissing_staysOff() {
            runner.withClassLoader(new FilteredClassLoader(TaskDecorator.class))
                    .run(context -> assertThat(context).doesNotHaveBean(ContextVarsTaskDecorator.class));
        }
    }

    @Nested
    class Servlet {

        private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsServletAutoConfiguration.class));

        @Test
        void filter_servletApplication_registeredAtTheDocumentedOrderForEveryDispatch() {
            runner.run(context -> {
                FilterRegistrationBean<?> registration = context.getBean("contextVarsRequestScopeFilter", FilterRegistrationBean.class);
                assertThat(registration.getFilter()).isInstanceOf(RequestScopeFilter.class);
                assertThat(registration.getOrder()).isEqualTo(ContextVarsProperties.DEFAULT_FILTER_ORDER).isEqualTo(-2147483638);
                assertThat(registration.isAsyncSupported()).isTrue();
                FilterRegistrationBean<?> mdc = context.getBean("contextVarsMdcFieldsFilter", FilterRegistrationBean.class);
                assertThat(mdc.getOrder()).isEqualTo(ContextVarsProperties.DEFAULT_FILTER_ORDER + 1);
            });
        }

        @Test
        void filter_properties_shapeThePolicy() {
            runner.withPropertyValues("contextvars4j.web.request-id-header=X-Trace", "contextvars4j.web.filter-order=5",
                    "contextvars4j.web.require-user=/api/*", "contextvars4j.web.require-role[/admin/*]=admin")
                    .withBean(Authenticator.class, () -> (Authenticator<HttpServletRequest>) r -> Authentication.anonymous())
                    .run(context -> {
                        FilterRegistrationBean<?> registration = context.getBean("contextVarsRequestScopeFilter", FilterRegistrationBean.class);
                        assertThat(registration.getOrder()).isEqualTo(5);
                        assertThat(registration.getFilter().toString())
                                .contains("header=X-Trace", "/api/*", "/admin/*", "admin", "AutoConfigurationTest");
                    });
        }

        @Test
        void filter_idRulesGeneratorAndPublicPaths_shapeThePolicy() {
            runner.withPropertyValues("contextvars4j.web.public-paths=/health,/docs/*", "contextvars4j.web.request-id-pattern=[a-z]+",
                    "contextvars4j.web.request-id-max-length=20", "contextvars4j.web.reject-invalid-request-id=true",
                    "contextvars4j.web.request-id-generator=uuid")
                    .run(context -> assertThat(context.getBean("contextVarsRequestScopeFilter", FilterRegistrationBean.class)
                            .getFilter().toString()).contains("public=[/health, /docs/*]", "idPattern=[a-z]+", "idMaxLength=20",
                                    "invalidIds=rejected", "idGenerator=" + RequestPolicies.UuidIds.class.getName()));
        }

        @Test
        void filter_generatorBean_winsOverTheProperty() {
            runner.withPropertyValues("contextvars4j.web.request-id-generator=uuid")
                    .withBean(RequestPolicies.GENERATOR_BEAN, Supplier.class, () -> new FixedIds())
                    .run(context -> assertThat(context.getBean("contextVarsRequestScopeFilter", FilterRegistrationBean.class)
                            .getFilter().toString()).contains("idGenerator=" + FixedIds.class.getName()));
        }

        @Test
        void filter_badIdSettings_failNamingThem() {
            for (String[] bad : new String[][] {
                    {"contextvars4j.web.request-id-generator=sequential", "contextvars4j.web.request-id-generator is not random or uuid: \"sequential\""},
                    {"contextvars4j.web.request-id-max-length=0", "request id max length is not between 1 and 128: 0"},
                    {"contextvars4j.web.request-id-pattern=(", "request id pattern is not a regular expression: \"(\""},
                    {"contextvars4j.web.public-paths=health", "path pattern does not start with '/': \"health\""}}) {
                runner.withPropertyValues(bad[0]).run(context -> assertThat(context)
                        .getFailure().hasStackTraceContaining("IllegalArgumentException: " + bad[1]));
            }
        }

        @Test
        void filter_malformedPattern_failsNamingIt() {
            runner.withPropertyValues("contextvars4j.web.require-user=api").run(context -> assertThat(context)
                    .getFailure().rootCause().isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"api\""));
        }

        @Test
        void filter_userRegistersOne_backsOff() {
            runner.withBean("mine", RequestScopeFilter.class, () -> RequestScopeFilter.builder().build())
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsRequestScopeFilter"));
        }

        @Test
        void filter_switchedOff_absent() {
            runner.withPropertyValues("contextvars4j.web.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsRequestScopeFilter")
                            .doesNotHaveBean("contextVarsMdcFieldsFilter"));
        }

        @Test
        void filter_servletModuleMissing_staysOff() {
            runner.withClassLoader(new FilteredClassLoader(RequestScopeFilter.class))
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsRequestScopeFilter"));
        }

        @Test
        void filter_notAWebApplication_staysOff() {
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ContextVarsServletAutoConfiguration.class))
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsRequestScopeFilter"));
        }

        @Test
        void mdcFields_loggingSwitchedOff_onlyTheRequestFilter() {
            runner.withPropertyValues("contextvars4j.logging.enabled=false")
                    .run(context -> assertThat(context).hasBean("contextVarsRequestScopeFilter")
                            .doesNotHaveBean("contextVarsMdcFieldsFilter"));
        }
    }

    @Nested
    class Logging {

        private final ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsLoggingAutoConfiguration.class));

        @Test
        void mdcBridge_threadLocalMdc_accessorRegisteredWhileTheApplicationRuns() {
            // Another test's application may still be open in this JVM and hold it registered.
            boolean before = ThreadLocalAccessors.registered().stream().anyMatch(MdcAccessor.class::isInstance);
            runner.run(context -> {
                assertThat(context).hasSingleBean(MdcBridge.class);
                assertThat(context.getBean(MdcBridge.class).isRegistered()).isTrue();
                assertThat(ThreadLocalAccessors.registered()).filteredOn(MdcAccessor.class::isInstance).hasSize(1);
            });
            assertThat(ThreadLocalAccessors.registered().stream().anyMatch(MdcAccessor.class::isInstance)).isEqualTo(before);
        }

        @Test
        void mdcBridge_switchedOff_absent() {
            runner.withPropertyValues("contextvars4j.logging.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean(MdcBridge.class));
        }

        @Test
        void mdcBridge_slf4jMissing_staysOff() {
            runner.withClassLoader(new FilteredClassLoader("org.slf4j"))
                    .run(context -> assertThat(context).doesNotHaveBean(MdcBridge.class));
        }

        @Test
        void correlationPattern_notSet_defaultPrintsIdAndUser() {
            StandardEnvironment environment = new StandardEnvironment();
            new LoggingPatternEnvironmentPostProcessor().postProcessEnvironment(environment, null);
            assertThat(environment.getProperty("logging.pattern.correlation")).isEqualTo("[%X{request_id} %X{user}] ");
        }

        @Test
        void correlationPattern_setByTheApplication_kept() {
            StandardEnvironment environment = new StandardEnvironment();
            environment.getPropertySources().addFirst(new MapPropertySource("app", Map.of("logging.pattern.correlation", "<%X{traceId}> ")));
            new LoggingPatternEnvironmentPostProcessor().postProcessEnvironment(environment, null);
            assertThat(environment.getProperty("logging.pattern.correlation")).isEqualTo("<%X{traceId}> ");
        }

        @Test
        void correlationPattern_loggingSwitchedOff_untouched() {
            StandardEnvironment environment = new StandardEnvironment();
            environment.getPropertySources().addFirst(new MapPropertySource("app", Map.of("contextvars4j.logging.enabled", "false")));
            new LoggingPatternEnvironmentPostProcessor().postProcessEnvironment(environment, null);
            assertThat(environment.containsProperty("logging.pattern.correlation")).isFalse();
        }
    }

    @Nested
    class RestClients {

        private final ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsRestClientAutoConfiguration.class));

        @Test
        void customizers_default_present() {
            runner.run(context -> assertThat(context).hasBean("contextVarsRestClientCustomizer")
                    .hasBean("contextVarsRestTemplateCustomizer"));
        }

        @Test
        void customizers_switchedOff_absent() {
            runner.withPropertyValues("contextvars4j.web.propagate-request-id=false")
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsRestClientCustomizer"));
        }

        @Test
        void customizers_restClientModuleMissing_staysOff() {
            runner.withClassLoader(new FilteredClassLoader(RestClientCustomizer.class))
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsRestClientCustomizer"));
        }
    }

    @Nested
    class WebFlux {

        private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsWebFluxAutoConfiguration.class));

        @Test
        void filter_reactiveApplication_registeredAtTheDocumentedOrder() {
            runner.withPropertyValues("contextvars4j.web.require-user=/api/*")
                    .withBean(Authenticator.class, () -> (Authenticator<ServerHttpRequest>) r -> Authentication.anonymous())
                    .run(context -> {
                        ContextVarsWebFilter filter = context.getBean(ContextVarsWebFilter.class);
                        assertThat(filter.getOrder()).isEqualTo(ContextVarsProperties.DEFAULT_FILTER_ORDER);
                        assertThat(filter.toString()).contains("/api/*", "AutoConfigurationTest");
                    });
        }

        @Test
        void filter_malformedPattern_failsNamingIt() {
            runner.withPropertyValues("contextvars4j.web.require-user=api").run(context -> assertThat(context)
                    .getFailure().rootCause().isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"api\""));
        }

        @Test
        void filter_userDefinesOne_backsOff() {
            ContextVarsWebFilter mine = ContextVarsWebFilter.builder(7).build();
            runner.withBean("mine", ContextVarsWebFilter.class, () -> mine)
                    .run(context -> assertThat(context.getBean(ContextVarsWebFilter.class)).isSameAs(mine));
        }

        @Test
        void filter_switchedOff_absent() {
            runner.withPropertyValues("contextvars4j.web.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean(ContextVarsWebFilter.class));
        }

        @Test
        void filter_micrometerModuleMissing_staysOff() {
            runner.withClassLoader(new FilteredClassLoader(ContextThreadLocalAccessor.class))
                    .run(context -> assertThat(context).doesNotHaveBean(ContextVarsWebFilter.class));
        }

        @Test
        void filter_servletApplication_staysOff() {
            new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(ContextVarsWebFluxAutoConfiguration.class))
                    .run(context -> assertThat(context).doesNotHaveBean(ContextVarsWebFilter.class));
        }

        @Test
        void reactorPropagation_default_auto() {
            StandardEnvironment environment = new StandardEnvironment();
            new ReactorPropagationEnvironmentPostProcessor().postProcessEnvironment(environment, null);
            assertThat(environment.getProperty("spring.reactor.context-propagation")).isEqualTo("auto");
        }

        @Test
        void reactorPropagation_applicationSetsIt_theirsWins() {
            StandardEnvironment environment = new StandardEnvironment();
            environment.getPropertySources().addFirst(new MapPropertySource("app", Map.of("spring.reactor.context-propagation", "limited")));
            new ReactorPropagationEnvironmentPostProcessor().postProcessEnvironment(environment, null);
            assertThat(environment.getProperty("spring.reactor.context-propagation")).isEqualTo("limited");
        }

        @Test
        void reactorPropagation_servletApplication_untouched() {
            StandardEnvironment environment = new StandardEnvironment();
            org.springframework.boot.SpringApplication application = new org.springframework.boot.SpringApplication();
            application.setWebApplicationType(org.springframework.boot.WebApplicationType.SERVLET);
            new ReactorPropagationEnvironmentPostProcessor().postProcessEnvironment(environment, application);
            assertThat(environment.containsProperty("spring.reactor.context-propagation")).isFalse();
        }

        @Test
        void reactorPropagation_switchedOff_untouched() {
            StandardEnvironment environment = new StandardEnvironment();
            environment.getPropertySources().addFirst(new MapPropertySource("app",
                    Map.of("contextvars4j.reactor.automatic-context-propagation", "false")));
            new ReactorPropagationEnvironmentPostProcessor().postProcessEnvironment(environment, null);
            assertThat(environment.containsProperty("spring.reactor.context-propagation")).isFalse();
        }
    }

    @Nested
    class Baggage {

        private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsServletAutoConfiguration.class,
                        ContextVarsBaggageAutoConfiguration.class))
                .withUserConfiguration(TenantVar.class);

        @Test
        void propagator_allowList_sendsTheNamedVarAndReadsItAfterTheRequestFilter() {
            runner.withPropertyValues("contextvars4j.baggage.allow=tenant").run(context -> {
                VarBaggagePropagator propagator = context.getBean(VarBaggagePropagator.class);
                Map<String, String> headers = new java.util.HashMap<>();
                try (Token<String> t = TENANT.set("acme")) {
                    propagator.inject(io.opentelemetry.context.Context.current(), headers, Map::put);
                }
                assertThat(headers).containsEntry("baggage", "cv.tenant=acme");
                assertThat(context).hasBean("contextVarsBaggageRestClientCustomizer").hasBean("contextVarsBaggageRestTemplateCustomizer");
                FilterRegistrationBean<?> filter = context.getBean("contextVarsBaggageFilter", FilterRegistrationBean.class);
                assertThat(filter.getFilter()).isInstanceOf(ServletPropagationFilter.class);
                assertThat(filter.getOrder()).isEqualTo(ContextVarsProperties.DEFAULT_FILTER_ORDER + 2);
            });
        }

        @Test
        void metrics_malformedInboundEntry_countedByReason() {
            runner.withPropertyValues("contextvars4j.baggage.allow=tenant").run(context -> {
                io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
                context.getBean("contextVarsBaggageMetrics", io.micrometer.core.instrument.binder.MeterBinder.class).bindTo(registry);
                VarBaggagePropagator propagator = context.getBean(VarBaggagePropagator.class);
                io.opentelemetry.context.propagation.TextMapGetter<Map<String, String>> getter = new io.opentelemetry.context.propagation.TextMapGetter<>() {
                    @Override
                    public String get(Map<String, String> carrier, String key) {
                        return carrier == null ? null : carrier.get(key);
                    }
                };
                java.util.logging.Logger log = java.util.logging.Logger.getLogger(VarBaggagePropagator.class.getName());
                java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.logging.Handler capture = new java.util.logging.Handler() {
                    @Override
                    public void publish(java.util.logging.LogRecord record) {
                        warnings.add(java.text.MessageFormat.format(record.getMessage(), record.getParameters()));
                    }

                    @Override
                    public void flush() {
                    }

                    @Override
                    public void close() {
                    }
                };
                log.addHandler(capture);
                log.setUseParentHandlers(false);
                try {
                    propagator.extract(io.opentelemetry.context.Context.root(), Map.of("baggage", "cv.other=x"), getter);
                } finally {
                    log.removeHandler(capture);
                    log.setUseParentHandlers(true);
                }
                assertThat(warnings).singleElement().asString().contains("NOT_ALLOWED", "cv.other");
                assertThat(registry.get("contextvars4j.baggage.drops").tag("reason", "not_allowed").functionCounter().count()).isEqualTo(1.0);
                assertThat(registry.get("contextvars4j.baggage.drops").tag("reason", "malformed").functionCounter().count()).isZero();
            });
        }

        @Test
        void metrics_micrometerMissing_noBinder() {
            runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                    .run(context -> assertThat(context).hasSingleBean(VarBaggagePropagator.class).doesNotHaveBean("contextVarsBaggageMetrics"));
        }

        @Test
        void propagator_emptyAllowList_sendsNoVar() {
            runner.run(context -> {
                Map<String, String> headers = new java.util.HashMap<>();
                try (Token<String> t = TENANT.set("acme")) {
                    context.getBean(VarBaggagePropagator.class).inject(io.opentelemetry.context.Context.current(), headers, Map::put);
                }
                assertThat(headers).doesNotContainKey("baggage");
            });
        }

        @Test
        void propagator_unknownName_failsNamingIt() {
            runner.withPropertyValues("contextvars4j.baggage.allow=tenant,nosuch").run(context -> assertThat(context)
                    .getFailure().rootCause().isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"nosuch\"").hasMessageContaining("contextvars4j.baggage.allow"));
        }

        @Test
        void propagator_userDefinesOne_backsOffAndTheFilterUsesTheirs() {
            VarBaggagePropagator mine = VarBaggagePropagator.builder().allow(TENANT).build();
            runner.withPropertyValues("contextvars4j.baggage.allow=nosuch").withBean("mine", VarBaggagePropagator.class, () -> mine)
                    .run(context -> assertThat(context).hasSingleBean(VarBaggagePropagator.class)
                            .doesNotHaveBean("contextVarsBaggagePropagator").hasBean("contextVarsBaggageFilter"));
        }

        @Test
        void propagator_switchedOff_absent() {
            runner.withPropertyValues("contextvars4j.baggage.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean(VarBaggagePropagator.class)
                            .doesNotHaveBean("contextVarsBaggageFilter").doesNotHaveBean("contextVarsBaggageRestClientCustomizer"));
        }

        @Test
        void webClient_default_customizerPresent_switchedOffOrBackedOff_absentOrTheirs() {
            runner.run(context -> assertThat(context).hasBean("contextVarsBaggageWebClientCustomizer"));
            runner.withPropertyValues("contextvars4j.baggage.web-client.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsBaggageWebClientCustomizer")
                            .hasBean("contextVarsBaggageRestClientCustomizer"));
            WebClientCustomizer mine = builder -> { };
            runner.withBean("contextVarsBaggageWebClientCustomizer", WebClientCustomizer.class, () -> mine)
                    .run(context -> assertThat(context.getBean("contextVarsBaggageWebClientCustomizer")).isSameAs(mine));
            runner.withClassLoader(new FilteredClassLoader(WebClientCustomizer.class))
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsBaggageWebClientCustomizer")
                            .hasBean("contextVarsBaggageRestClientCustomizer"));
        }

        @Test
        void webFilter_reactiveApplication_afterTheRequestFilter_servletApplication_absent() {
            new ReactiveWebApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(ContextVarsWebFluxAutoConfiguration.class, ContextVarsBaggageAutoConfiguration.class))
                    .withUserConfiguration(TenantVar.class).withPropertyValues("contextvars4j.baggage.allow=tenant")
                    .run(context -> {
                        assertThat(context.getBean("contextVarsBaggageWebFilter", BaggageWebFilter.class).getOrder())
                                .isEqualTo(ContextVarsProperties.DEFAULT_FILTER_ORDER + 2);
                        assertThat(context).doesNotHaveBean("contextVarsBaggageFilter");
                    });
            new ReactiveWebApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(ContextVarsBaggageAutoConfiguration.class))
                    .withClassLoader(new FilteredClassLoader(ContextThreadLocalAccessor.class))
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsBaggageWebFilter"));
            runner.run(context -> assertThat(context).doesNotHaveBean("contextVarsBaggageWebFilter"));
        }

        @Test
        void propagator_openTelemetryModuleMissing_staysOff() {
            runner.withClassLoader(new FilteredClassLoader(VarBaggagePropagator.class))
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsBaggagePropagator")
                            .doesNotHaveBean("contextVarsBaggageFilter"));
        }
    }

    @Nested
    class Metrics {

        private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsServletAutoConfiguration.class,
                        ContextVarsWebFluxAutoConfiguration.class, ContextVarsMetricsAutoConfiguration.class));

        @Test
        void meters_servletApplication_leakCounterAndGaugeAfterTheRequestFilter() {
            runner.run(context -> {
                io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
                context.getBeansOfType(io.micrometer.core.instrument.binder.MeterBinder.class).values().forEach(b -> b.bindTo(registry));
                assertThat(registry.get(ContextVarsMetricsAutoConfiguration.LEAK_REPORTS).functionCounters()).hasSize(3);
                assertThat(registry.get(ContextVarsMetricsAutoConfiguration.SCOPES_OPEN).gauge().value()).isZero();
                assertThat(context.getBean("contextVarsOpenScopesFilter", FilterRegistrationBean.class).getOrder())
                        .isEqualTo(ContextVarsProperties.DEFAULT_FILTER_ORDER + 3);
            });
        }

        @Test
        void meters_reactiveApplication_gaugeFilterAfterTheWebFilter() {
            new ReactiveWebApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(ContextVarsWebFluxAutoConfiguration.class, ContextVarsMetricsAutoConfiguration.class))
                    .run(context -> assertThat(context.getBean(OpenScopesWebFilter.class).getOrder())
                            .isEqualTo(ContextVarsProperties.DEFAULT_FILTER_ORDER + 3));
        }

        @Test
        void meters_switchedOffOrRequestFilterOff_absent_userBinder_backsOff() {
            runner.withPropertyValues("contextvars4j.metrics.enabled=false").run(context -> assertThat(context)
                    .doesNotHaveBean("contextVarsLeakMetrics").doesNotHaveBean("contextVarsOpenScopesFilter"));
            runner.withPropertyValues("contextvars4j.web.enabled=false").run(context -> assertThat(context)
                    .hasBean("contextVarsLeakMetrics").doesNotHaveBean("contextVarsOpenScopesFilter").doesNotHaveBean("contextVarsScopeMetrics"));
            io.micrometer.core.instrument.binder.MeterBinder mine = registry -> { };
            runner.withBean("contextVarsLeakMetrics", io.micrometer.core.instrument.binder.MeterBinder.class, () -> mine)
                    .run(context -> assertThat(context.getBean("contextVarsLeakMetrics")).isSameAs(mine));
        }

        @Test
        void meters_micrometerMissing_staysOff() {
            runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsLeakMetrics").doesNotHaveBean("contextVarsOpenScopesFilter"));
        }
    }

    /** The application's var, as a bean the allow-list can name. */
    @Configuration(proxyBeanMethods = false)
    static class TenantVar {

        @Bean
        ContextVar<String> tenantVar() {
            return TENANT;
        }
    }

    @Nested
    class Security {

        private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsSecurityAutoConfiguration.class));

        @Test
        void principalFilter_springSecurityPresent_registeredAfterItsChain_strategyLeftAlone() {
            SecurityContextHolderStrategy before = SecurityContextHolder.getContextHolderStrategy();
            runner.run(context -> {
                FilterRegistrationBean<?> registration = context.getBean("contextVarsPrincipalUserFilter", FilterRegistrationBean.class);
                assertThat(registration.getOrder()).isEqualTo(-99);
                assertThat(context).doesNotHaveBean(ContextVarSecurityContextHolderStrategy.class);
                assertThat(SecurityContextHolder.getContextHolderStrategy()).isSameAs(before);
            });
        }

        @Test
        void holderStrategy_optedIn_globalWhileRunning_previousBackAfter() {
            SecurityContextHolderStrategy before = SecurityContextHolder.getContextHolderStrategy();
            runner.withPropertyValues("contextvars4j.security.context-holder=context-var").run(context -> {
                assertThat(context).hasSingleBean(ContextVarSecurityContextHolderStrategy.class);
                assertThat(SecurityContextHolder.getContextHolderStrategy()).isSameAs(ContextVarSecurityContextHolderStrategy.create());
            });
            assertThat(SecurityContextHolder.getContextHolderStrategy()).isSameAs(before);
        }

        @Test
        void holderStrategy_userDefinesOne_backsOff() {
            SecurityContextHolderStrategy before = SecurityContextHolder.getContextHolderStrategy();
            runner.withPropertyValues("contextvars4j.security.context-holder=context-var")
                    .withBean("mine", SecurityContextHolderStrategy.class, () -> new UserStrategy(before))
                    .run(context -> {
                        assertThat(context).doesNotHaveBean(ContextVarSecurityContextHolderStrategy.class);
                        assertThat(SecurityContextHolder.getContextHolderStrategy()).isSameAs(before);
                    });
        }

        @Test
        void principalFilter_switchedOff_absent() {
            runner.withPropertyValues("contextvars4j.security.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsPrincipalUserFilter"));
        }

        @Test
        void principalFilter_springSecurityMissing_staysOff() {
            runner.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
                    .run(context -> assertThat(context).doesNotHaveBean("contextVarsPrincipalUserFilter"));
        }
    }

    @Nested
    class ActuatorEndpoint {

        private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ContextVarsEndpointAutoConfiguration.class,
                        ContextVarsExecutorAutoConfiguration.class, ContextVarsLoggingAutoConfiguration.class));

        @Test
        void endpoint_exposed_showsTheConfiguration() {
            runner.withPropertyValues("management.endpoints.web.exposure.include=contextvars4j",
                    "contextvars4j.web.require-user=/api/*").run(context -> {
                        Map<String, Object> shown = context.getBean(ContextVarsEndpoint.class).configuration();
                        assertThat(shown).containsKeys("web", "executors", "logging", "security", "threadLocalAccessors", "leakDetection");
                        assertThat(shown.get("web").toString()).contains("requireUser=[/api/*]", "requestIdHeader=X-Request-Id");
                        assertThat(shown.get("executors").toString()).contains(ContextVarsTaskDecorator.class.getName());
                        assertThat(shown.get("threadLocalAccessors").toString()).contains(MdcAccessor.class.getName());
                    });
        }

        @Test
        void endpoint_notExposed_absent() {
            runner.run(context -> assertThat(context).doesNotHaveBean(ContextVarsEndpoint.class));
        }

        @Test
        void endpoint_userDefinesOne_backsOff() {
            runner.withPropertyValues("management.endpoints.web.exposure.include=contextvars4j")
                    .withBean("mine", ContextVarsEndpoint.class, () -> ContextVarsEndpoint.of(new ContextVarsProperties(), null))
                    .run(context -> assertThat(context).hasSingleBean(ContextVarsEndpoint.class).hasBean("mine"));
        }

        @Test
        void endpoint_actuatorMissing_staysOff() {
            runner.withPropertyValues("management.endpoints.web.exposure.include=contextvars4j")
                    .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                    .run(context -> assertThat(context).doesNotHaveBean(ContextVarsEndpoint.class));
        }
    }

    /** An application's own strategy (of its own type, whatever the global one is now). */
    static final class UserStrategy implements SecurityContextHolderStrategy {

        private final SecurityContextHolderStrategy delegate;

        UserStrategy(SecurityContextHolderStrategy delegate) {
            this.delegate = delegate;
        }

        @Override
        public void clearContext() {
            delegate.clearContext();
        }

        @Override
        public SecurityContext getContext() {
            return delegate.getContext();
        }

        @Override
        public void setContext(SecurityContext context) {
            delegate.setContext(context);
        }

        @Override
        public SecurityContext createEmptyContext() {
            return delegate.createEmptyContext();
        }
    }

    /** Submits a task reading {@link #TENANT} while it is set here; returns what the task saw. */
    static String carried(java.util.function.Function<java.util.concurrent.Callable<String>, java.util.concurrent.Future<String>> submit)
            throws Exception {
        try (Token<String> t = TENANT.set("acme")) {
            return submit.apply(() -> TENANT.orElse("nothing")).get(10, TimeUnit.SECONDS);
        }
    }

    /** Boot configures its scheduler only for an application with scheduling on. */
    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class Scheduling {
    }

    /** A request id generator of the application's own. */
    static final class FixedIds implements Supplier<String> {
        @Override
        public String get() {
            return "fixed-id";
        }
    }
}
