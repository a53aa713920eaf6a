package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.micrometer.ContextThreadLocalAccessor;
import org.contextvars4j.opentelemetry.VarBaggagePropagator;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.testing.LoadRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Vars in baggage across {@code WebClient}, with two WebFlux applications on Netty and a real
 * client: A allows {@code tenant} into baggage and not {@code secret}; B allows both. Each request
 * sets both in A (a web filter of the application, from headers); A calls B with Boot's
 * {@code WebClient.Builder} after {@code publishOn}, subscribed on another scheduler; B reads
 * them in its handler, after {@code subscribeOn} and {@code publishOn}. B must see A's tenant and
 * no secret, for every request at concurrency 10.
 */
@SpringBootTest(classes = WebClientBaggageTest.FrontApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "spring.main.web-application-type=reactive", "contextvars4j.baggage.allow=tenant"})
@ExtendWith(ContextLeakGuard.class)
class WebClientBaggageTest {

    static final ContextVar<String> SECRET = ContextVar.of("secret");

    static final int REQUESTS = 200;
    static final int CONCURRENCY = 10;

    private static ConfigurableApplicationContext back;

    @Value("${local.server.port}")
    int port;

    @Autowired
    VarBaggagePropagator propagator;

    @BeforeAll
    static void startBack() {
        back = new SpringApplicationBuilder(BackApp.class)
                .properties("server.port=0", "spring.main.banner-mode=off", "logging.level.root=warn",
                        "spring.main.web-application-type=reactive", "contextvars4j.baggage.allow=tenant,secret")
                .run();
    }

    @AfterAll
    static void stopBack() {
        back.close();
        Hooks.disableAutomaticContextPropagation();
    }

    @DynamicPropertySource
    static void backUrl(DynamicPropertyRegistry registry) {
        registry.add("back.url", () -> "http://localhost:" + back.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void webClient_concurrentCalls_allowedVarArrivesAcrossSchedulers_otherDoesNot() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        LoadRun run = LoadRun.run(client, REQUESTS, CONCURRENCY,
                n -> HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/front"))
                        .header("X-Request-Id", "wc-" + n).header("X-Tenant", "t-" + n).header("X-Secret", "s-" + n)
                        .timeout(Duration.ofSeconds(30)).build(),
                (n, response) -> {
                    String expected = "front wc-" + n + " t-" + n + " s-" + n + " -> back t-" + n + " - t-" + n + " -";
                    return response.statusCode() == 200 && response.body().equals(expected)
                            ? null : response.statusCode() + " " + response.body();
                });
        assertThat(run.mismatches()).as("answers in which B saw another request's tenant, or a secret").isEmpty();
        assertThat(run.done()).isEqualTo(REQUESTS);
        assertThat(propagator.dropCount()).as("A's outbound filter never sends what A does not allow").isZero();
        assertThat(back.getBean(VarBaggagePropagator.class).dropCount()).isZero();
    }

    /** {@return "tenant secret" as the current context has them} */
    static String vars() {
        return LoadApp.TENANT.orElse("-") + " " + SECRET.orElse("-");
    }

    /** What both applications share: Netty, every exchange let in by Spring Security, the two vars as beans. */
    static class Common {

        @Bean
        NettyReactiveWebServerFactory netty() {
            return new NettyReactiveWebServerFactory(0);
        }

        @Bean
        SecurityWebFilterChain permitAll(ServerHttpSecurity http) {
            return http.authorizeExchange(exchanges -> exchanges.anyExchange().permitAll()).csrf(csrf -> csrf.disable()).build();
        }

        @Bean
        ContextVar<String> tenantVar() {
            return LoadApp.TENANT;
        }

        @Bean
        ContextVar<String> secretVar() {
            return SECRET;
        }
    }

    /** A: sets both vars for each exchange, then calls B with a WebClient from Boot's builder. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Common.class, FrontApp.Front.class})
    static class FrontApp {

        /** The application's own filter, after the starter's: both vars from headers, in a copy of the exchange's context. */
        @Bean
        WebFilter varsFromHeaders() {
            return (exchange, chain) -> Mono.deferContextual(view -> {
                Context vars = ((Context) view.get(ContextThreadLocalAccessor.KEY)).copy();
                vars.run(() -> {
                    LoadApp.TENANT.set(exchange.getRequest().getHeaders().getFirst("X-Tenant"));
                    SECRET.set(exchange.getRequest().getHeaders().getFirst("X-Secret"));
                });
                return chain.filter(exchange).contextWrite(reactor -> reactor.put(ContextThreadLocalAccessor.KEY, vars));
            });
        }

        @Bean
        WebClient back(WebClient.Builder builder, @Value("${back.url}") String url) {
            return builder.baseUrl(url).build();
        }

        /** The endpoint. */
        @RestController
        static class Front {

            private final WebClient back;

            Front(WebClient back) {
                this.back = back;
            }

            /** {@return what A saw, and what B answered} */
            @GetMapping("/front")
            Mono<String> front() {
                return Mono.just(1).publishOn(Schedulers.parallel())
                        .flatMap(i -> back.get().uri("/back").retrieve().bodyToMono(String.class).subscribeOn(Schedulers.boundedElastic())
                                .map(answer -> "front " + RequestVars.REQUEST_ID.orElse("-") + " " + vars() + " -> " + answer));
            }
        }
    }

    /** B: reads the vars from baggage, after {@code subscribeOn} and {@code publishOn}. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Common.class, BackApp.Back.class})
    static class BackApp {

        /** The endpoint. */
        @RestController
        static class Back {

            /** {@return the vars as a subscribeOn source and a later publishOn stage saw them} */
            @GetMapping("/back")
            Mono<String> back() {
                return Mono.fromCallable(WebClientBaggageTest::vars).subscribeOn(Schedulers.boundedElastic())
                        .publishOn(Schedulers.parallel()).map(seen -> "back " + seen + " " + vars());
            }
        }
    }
}
