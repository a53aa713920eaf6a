package org.contextvars4j.spring.boot.autoconfigure;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.http.HttpServletRequest;
import org.contextvars4j.ContextVar;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.Authenticator;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The application the servlet load tests run: a controller that fans each request out to an
 * {@code @Async} method, a virtual-thread executor built with Boot's builder (JDK 21+), a task
 * handed to Boot's scheduler and a {@code RestClient} call to a second application, and answers
 * what each of them saw. Every hop also logs one line under {@link #LOG_NAME}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableAsync
@EnableScheduling
@Import({LoadApp.Work.class, LoadApp.AsyncWork.class, LoadApp.PermitAll.class, LoadApp.Vars.class})
public class LoadApp {

    /** The logger whose lines the tests capture. */
    static final String LOG_NAME = "test.load";

    static final Logger LOG = LoggerFactory.getLogger(LOG_NAME);

    /** A var of the application's own, allowed into baggage by the load tests' settings. */
    static final ContextVar<String> TENANT = ContextVar.of("tenant");

    /** The load tests' setting that sends {@link #TENANT} to the second application in baggage. */
    static final String ALLOW_TENANT = "contextvars4j.baggage.allow=tenant";

    /** Whether this JDK has virtual threads. */
    static final boolean VIRTUAL = Runtime.version().feature() >= 21;

    /** The test's authenticator: the user named by {@code X-User}, with the roles in {@code X-Roles}. */
    @Bean
    Authenticator<HttpServletRequest> headerAuthenticator() {
        return request -> {
            String name = request.getHeader("X-User");
            if (name == null) {
                return Authentication.anonymous();
            }
            String roles = request.getHeader("X-Roles");
            return Authentication.of(User.of(name, roles == null ? new String[0] : roles.split(",")));
        };
    }

    /** The second application's address, set by the test. */
    @Bean
    RestClient downstream(RestClient.Builder builder, @Value("${downstream.url:http://localhost:1}") String url) {
        return builder.baseUrl(url).build();
    }

    /** {@return "id|user" as the current context has them} */
    static String here() {
        return RequestVars.REQUEST_ID.orElse("-") + "|" + RequestVars.currentUser().map(User::name).orElse("-");
    }

    /** Logs one line naming the hop and what the context holds there. */
    static String logged(String hop) {
        String seen = here();
        LOG.info("{} {}", hop, seen);
        return seen;
    }

    /** The {@code @Async} methods and the periodic job. */
    @Service
    public static class AsyncWork {

        private final AtomicInteger contaminatedRuns = new AtomicInteger();
        private final AtomicInteger runs = new AtomicInteger();

        /** @return the runs of the periodic job that saw a request's values: must stay 0 */
        public int contaminatedRuns() {
            return contaminatedRuns.get();
        }

        /** @return the runs of the periodic job */
        public int runs() {
            return runs.get();
        }

        /** @return what the async hop saw */
        @Async
        public CompletableFuture<String> async() {
            return CompletableFuture.completedFuture(logged("async"));
        }

        /** A {@code @Scheduled} job: it starts from the empty context captured at startup every time. */
        @Scheduled(fixedDelay = 20)
        public void periodic() {
            runs.incrementAndGet();
            if (RequestVars.REQUEST_ID.orElse(null) != null || org.slf4j.MDC.get(MdcFieldsFilter.REQUEST_ID) != null) {
                contaminatedRuns.incrementAndGet();
            }
        }
    }

    /** The endpoints. */
    @RestController
    public static class Work {

        private final AsyncWork async;
        private final AsyncTaskExecutor built;
        private final ThreadPoolTaskScheduler scheduler;
        private final RestClient downstream;

        Work(AsyncWork async, SimpleAsyncTaskExecutorBuilder builder, ThreadPoolTaskScheduler scheduler, RestClient downstream) {
            this.async = async;
            // An executor the application builds with Boot's builder (not a bean, so that Boot's
            // own applicationTaskExecutor stays): virtual threads on JDK 21+.
            this.built = builder.virtualThreads(VIRTUAL).threadNamePrefix("built-").build();
            this.scheduler = scheduler;
            this.downstream = downstream;
        }

        /**
         * {@return what each hop saw, separated by spaces: handler, async, built executor,
         * scheduler, downstream}
         *
         * @throws Exception if a hop failed
         */
        @GetMapping("/work")
        public String work() throws Exception {
            String handler = logged("handler");
            RequestVars.currentUser().ifPresent(user -> TENANT.set("t-" + user.name()));
            CompletableFuture<String> onAsync = async.async();
            var onBuilt = built.submit(() -> logged("built"));
            CompletableFuture<String> onScheduler = new CompletableFuture<>();
            scheduler.schedule(() -> onScheduler.complete(logged("scheduled")), Instant.now());
            String remote = downstream.get().uri("/echo").retrieve().body(String.class);
            return String.join(" ", handler, onAsync.get(10, TimeUnit.SECONDS), onBuilt.get(10, TimeUnit.SECONDS),
                    onScheduler.get(10, TimeUnit.SECONDS), remote);
        }

        /** {@return what the MVC async executor and the async dispatch saw} */
        @GetMapping("/callable")
        public Callable<String> callable() {
            String handler = logged("handler");
            return () -> handler + " " + logged("callable");
        }

        /** {@return a result completed on Boot's scheduler} */
        @GetMapping("/deferred")
        public DeferredResult<String> deferred() {
            String handler = logged("handler");
            DeferredResult<String> result = new DeferredResult<>(10_000L);
            scheduler.schedule(() -> result.setResult(handler + " " + logged("deferred")), Instant.now());
            return result;
        }

        /** {@return the user, on a path the tests protect} */
        @GetMapping("/admin/who")
        public String who() {
            return Optional.ofNullable(RequestVars.USER.orElse(null)).map(User::name).orElse("-");
        }
    }

    /** Spring Security is on the test class path: these applications let every request in. */
    @Configuration(proxyBeanMethods = false)
    public static class PermitAll {

        /**
         * {@return a chain that lets every request in}
         *
         * @param http Spring Security's builder
         * @throws Exception as thrown by the builder
         */
        @Bean
        SecurityFilterChain permitAll(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll()).csrf(csrf -> csrf.disable()).build();
        }
    }

    /** Both applications declare the var, so that the starter's allow-list can name it. */
    @Configuration(proxyBeanMethods = false)
    public static class Vars {

        /** {@return the tenant var, as a bean} */
        @Bean
        ContextVar<String> tenantVar() {
            return TENANT;
        }
    }

    /**
     * The second application: answers the request id and user its own request filter set, and
     * the tenant read from the baggage header.
     */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Downstream.Echo.class, PermitAll.class, Vars.class})
    public static class Downstream {

        /** The endpoint. */
        @RestController
        public static class Echo {

            /** {@return what the second application's context holds} */
            @GetMapping("/echo")
            public String echo() {
                return "remote:" + here() + "|" + TENANT.orElse("-");
            }
        }
    }
}
