package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.Authenticator;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A WebFlux application on Netty, driven by a real HTTP client: 200 requests at concurrency 20,
 * each reading the request id and user in the handler, after {@code publishOn} and inside
 * {@code subscribeOn}. With the starter's web filter and Reactor's automatic context propagation
 * (which the starter switches on), every hop sees its own request's values; afterwards no
 * scheduler worker holds a context.
 */
@SpringBootTest(classes = WebFluxAppTest.FluxApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "spring.main.web-application-type=reactive",
                "contextvars4j.web.require-user=/private/*"})
@ExtendWith(ContextLeakGuard.class)
class WebFluxAppTest {

    static final int REQUESTS = 200;
    static final int CONCURRENCY = 20;

    @Value("${local.server.port}")
    int port;

    @AfterAll
    static void automaticPropagationOff() {
        // Boot switched it on for this JVM; the other test classes run without it.
        Hooks.disableAutomaticContextPropagation();
    }

    @Test
    void webflux_concurrentRequests_everyHopAcrossSchedulersSeesItsOwnRequest() throws Exception {
        assertThat(Hooks.isAutomaticContextPropagationEnabled()).as("spring.reactor.context-propagation=auto by default").isTrue();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
        List<String> mismatches = new ArrayList<>();
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                int n = i;
                answers.add(clients.submit(() -> call(client, n)));
            }
            for (Future<String> answer : answers) {
                String mismatch = answer.get(60, TimeUnit.SECONDS);
                if (mismatch != null) {
                    mismatches.add(mismatch);
                }
            }
        } finally {
            clients.shutdown();
        }
        assertThat(mismatches).as("answers whose hops saw another request").isEmpty();
        assertWorkersClean(Schedulers.parallel());
        assertWorkersClean(Schedulers.boundedElastic());
    }

    @Test
    void webflux_requiredUserMissing_401WithTheRequestId() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/private/x"))
                .header("X-Request-Id", "flux-401").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("flux-401");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    private String call(HttpClient client, int n) throws Exception {
        String id = "flux-" + n;
        String user = "user" + (n % 37);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/hops"))
                .header("X-Request-Id", id).header("X-User", user).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        String me = id + "|" + user;
        String expected = String.join(" ", me, me, me, me);
        return response.statusCode() == 200 && response.body().equals(expected)
                && id.equals(response.headers().firstValue("X-Request-Id").orElse(null))
                ? null : id + ": " + response.statusCode() + " " + response.body();
    }

    /** Every worker of {@code scheduler} (reached by many plain tasks, outside Reactor operators) holds no context. */
    private static void assertWorkersClean(Scheduler scheduler) throws Exception {
        List<CompletableFuture<String>> probes = new ArrayList<>();
        for (int i = 0; i < 4 * Runtime.getRuntime().availableProcessors() + 8; i++) {
            CompletableFuture<String> probe = new CompletableFuture<>();
            scheduler.schedule(() -> probe.complete(ContextLeakGuard.isThreadClean() ? null : Thread.currentThread().getName()));
            probes.add(probe);
        }
        for (CompletableFuture<String> probe : probes) {
            assertThat(probe.get(20, TimeUnit.SECONDS)).as("a worker left holding a context").isNull();
        }
    }

    /** {@return "id|user" as the current context has them, "-" for missing values} */
    static String here() {
        return RequestVars.REQUEST_ID.orElse("-") + "|" + RequestVars.currentUser().map(User::name).orElse("-");
    }

    /** The application: Netty, the test's authenticator, and a controller crossing schedulers. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(FluxApp.Hops.class)
    static class FluxApp {

        @Bean
        NettyReactiveWebServerFactory netty() {
            return new NettyReactiveWebServerFactory(0);
        }

        @Bean
        Authenticator<ServerHttpRequest> headerAuthenticator() {
            return request -> {
                String name = request.getHeaders().getFirst("X-User");
                return name == null ? Authentication.anonymous() : Authentication.of(User.of(name));
            };
        }

        @Bean
        SecurityWebFilterChain permitAll(ServerHttpSecurity http) {
            return http.authorizeExchange(exchanges -> exchanges.anyExchange().permitAll()).csrf(csrf -> csrf.disable()).build();
        }

        /** The endpoint. */
        @RestController
        static class Hops {

            /** {@return what the handler, a publishOn stage, a subscribeOn source and a later stage saw} */
            @GetMapping("/hops")
            Mono<String> hops() {
                Mono<String> handler = Mono.fromSupplier(WebFluxAppTest::here);
                Mono<String> published = Mono.just(1).publishOn(Schedulers.parallel()).map(i -> here());
                Mono<String> subscribed = Mono.fromCallable(WebFluxAppTest::here).subscribeOn(Schedulers.boundedElastic());
                return Mono.zip(handler, published, subscribed)
                        .delayElement(Duration.ofMillis(1))
                        .map(t -> String.join(" ", t.getT1(), t.getT2(), t.getT3(), here()));
            }
        }
    }
}
