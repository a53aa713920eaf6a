package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.core.userdetails.User.withUsername;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Spring Security with HTTP Basic: 401 and 403 as configured, the principal as the user var in
 * the handler and in {@code @Async} work, the security context itself carried by the opt-in
 * {@link ContextVarSecurityContextHolderStrategy}, and no principal left on a pooled thread.
 */
@SpringBootTest(classes = {SecurityAppTest.App.class, TomcatLoadTest.Tomcat.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "contextvars4j.security.context-holder=context-var"})
@ExtendWith(ContextLeakGuard.class)
class SecurityAppTest {

    @Value("${local.server.port}")
    int port;

    @Autowired
    ThreadPoolTaskExecutor applicationTaskExecutor;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void secured_noCredentials_401() throws Exception {
        assertThat(get("/secure/me", null).statusCode()).isEqualTo(401);
    }

    @Test
    void admin_userWithoutTheRole_403() throws Exception {
        assertThat(get("/admin/me", "alice").statusCode()).isEqualTo(403);
        assertThat(get("/admin/me", "root").body()).startsWith("root|root|root");
    }

    @Test
    void holderStrategy_optedIn_isSpringSecuritysGlobalStrategy() {
        assertThat(SecurityContextHolder.getContextHolderStrategy()).isSameAs(ContextVarSecurityContextHolderStrategy.create());
    }

    @Test
    void principal_concurrentUsers_seenInHandlerAndAsyncWork_andNoWorkerKeepsIt() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(20);
        List<String> mismatches = new ArrayList<>();
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String user = i % 2 == 0 ? "alice" : "root";
                answers.add(clients.submit(() -> {
                    HttpResponse<String> r = get("/secure/me", user);
                    String expected = user + "|" + user + "|" + user;
                    return r.statusCode() == 200 && r.body().startsWith(expected + "|") ? null : user + ": " + r.statusCode() + " " + r.body();
                }));
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
        assertThat(mismatches).isEmpty();

        int threads = applicationTaskExecutor.getPoolSize();
        CyclicBarrier all = new CyclicBarrier(threads);
        List<Future<Boolean>> probes = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            probes.add(applicationTaskExecutor.getThreadPoolExecutor().submit(() -> {
                all.await(10, TimeUnit.SECONDS);
                return ContextLeakGuard.isThreadClean();    // the security context would be a value here
            }));
        }
        for (Future<Boolean> probe : probes) {
            assertThat(probe.get(20, TimeUnit.SECONDS)).as("a worker kept a principal").isTrue();
        }
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            String basic = Base64.getEncoder().encodeToString((user + ":pw-" + user).getBytes(StandardCharsets.UTF_8));
            request.header("Authorization", "Basic " + basic);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The application: two users, one an admin; everything under /secure needs a user. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableAsync
    @Import({App.Me.class, App.Work.class})
    static class App {

        /**
         * Two users, looked up by name. Not an {@code InMemoryUserDetailsManager}: as a
         * {@code UserDetailsPasswordService} it would re-encode the {@code {noop}} passwords with
         * BCrypt at the first login, and every later request would pay for a BCrypt check.
         */
        @Bean
        UserDetailsService users() {
            return name -> switch (name) {
                case "alice" -> withUsername(name).password("{noop}pw-alice").roles("USER").build();
                case "root" -> withUsername(name).password("{noop}pw-root").roles("USER", "ADMIN").build();
                default -> throw new UsernameNotFoundException(name);
            };
        }

        @Bean
        SecurityFilterChain chain(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests
                            .requestMatchers("/admin/**").hasRole("ADMIN")
                            .requestMatchers("/secure/**").authenticated()
                            .anyRequest().permitAll())
                    .httpBasic(Customizer.withDefaults())
                    .build();
        }

        /** {@return the user var's name here} */
        static String userHere() {
            return RequestVars.currentUser().map(User::name).orElse("-");
        }

        /** {@return the principal's name in Spring Security's holder here} */
        static String principalHere() {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            return authentication == null ? "-" : authentication.getName();
        }

        /** {@code @Async} work. */
        @Service
        public static class Work {

            /** @return user var and principal on the async thread */
            @Async
            public CompletableFuture<String> whoAsync() {
                return CompletableFuture.completedFuture(userHere() + "|" + principalHere());
            }
        }

        /** The endpoints. */
        @RestController
        public static class Me {

            private final Work work;

            Me(Work work) {
                this.work = work;
            }

            /**
             * {@return user var in the handler, then in the async work, then the principal there, then the id}
             *
             * @throws Exception if the async work failed
             */
            @GetMapping({"/secure/me", "/admin/me"})
            public String me() throws Exception {
                return userHere() + "|" + work.whoAsync().get(10, TimeUnit.SECONDS) + "|" + RequestVars.REQUEST_ID.get();
            }
        }
    }
}
