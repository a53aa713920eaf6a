package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.contextvars4j.Context;
import org.contextvars4j.LeakDetection;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The starter's meters in a Boot application on Tomcat with Boot's own meter registry: the
 * {@code contextvars4j.scopes.open} gauge goes up while requests are held inside the request
 * filter and back to 0 after, and {@code contextvars4j.leak.reports} counts a leak report
 * provoked on purpose (its WARN line captured, so nothing reaches the console).
 */
@SpringBootTest(classes = {MetricsAppTest.App.class, TomcatLoadTest.Tomcat.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.banner-mode=off")
@ExtendWith(ContextLeakGuard.class)
class MetricsAppTest {

    static final int HELD = 3;
    static volatile CountDownLatch entered = new CountDownLatch(0);
    static volatile CountDownLatch release = new CountDownLatch(0);

    @Value("${local.server.port}")
    int port;

    @Autowired
    MeterRegistry registry;

    @Autowired
    ThreadPoolTaskExecutor applicationTaskExecutor;

    @Test
    void scopesOpen_heldRequests_gaugeCountsThemThenBackToZero() throws Exception {
        DoubleSupplier open = () -> registry.get(ContextVarsMetricsAutoConfiguration.SCOPES_OPEN).gauge().value();
        assertThat(open.getAsDouble()).isZero();
        entered = new CountDownLatch(HELD);
        release = new CountDownLatch(1);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try {
            for (int i = 0; i < HELD; i++) {
                held.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/hold")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            assertThat(entered.await(20, TimeUnit.SECONDS)).as("the requests reached the handler").isTrue();
            assertThat(open.getAsDouble()).as("while held").isEqualTo(HELD);
        } finally {
            release.countDown();
        }
        for (CompletableFuture<HttpResponse<String>> response : held) {
            assertThat(response.get(20, TimeUnit.SECONDS).body()).isEqualTo("released");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (open.getAsDouble() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);     // the filter leaves the chain just after the response is sent
        }
        assertThat(open.getAsDouble()).as("after the requests").isZero();
    }

    @Test
    void leakReports_scopeLeftOpenInAnAsyncTask_countedByKind() throws Exception {
        DoubleSupplier scopeLeaks = () -> registry.get(ContextVarsMetricsAutoConfiguration.LEAK_REPORTS)
                .tag("kind", "scope_not_closed").functionCounter().count();
        double before = scopeLeaks.getAsDouble();
        ServletLoadTestBase.Capture capture = ServletLoadTestBase.Capture.attach(LeakDetection.class.getName(), "%level %msg%nopex");
        LeakDetection.enable(1);
        try {
            // Wrapped inside the FutureTask, so that the wrapper's refusal fails the future rather
            // than the worker (Boot's decorator wraps the FutureTask itself, outside).
            Future<?> task = applicationTaskExecutor.submit(Context.copyCurrent().wrap((Callable<Object>) () -> {
                openAndForget();
                return null;
            }));
            assertThatThrownBy(() -> task.get(10, TimeUnit.SECONDS)).hasStackTraceContaining("is still entered");
        } finally {
            LeakDetection.disable();
            capture.detach();
        }
        assertThat(scopeLeaks.getAsDouble()).isEqualTo(before + 1);
        assertThat(List.copyOf(capture.lines)).singleElement().asString()
                .startsWith("WARN SCOPE_NOT_CLOSED: ").contains("was not closed before task");
        assertThat(registry.get(ContextVarsMetricsAutoConfiguration.LEAK_REPORTS).functionCounters())
                .as("one counter per kind").hasSize(LeakDetection.Kind.values().length);
    }

    /** The leak: a scope entered in a task and never closed. */
    static void openAndForget() {
        new Context().enter();
    }

    /** An application with an endpoint that holds its requests until the test releases them. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({LoadApp.PermitAll.class, App.Hold.class})
    static class App {

        /** The endpoint. */
        @RestController
        public static class Hold {

            /**
             * {@return "released", once the test says so}
             *
             * @throws InterruptedException if interrupted while held
             */
            @GetMapping("/hold")
            public String hold() throws InterruptedException {
                entered.countDown();
                return release.await(20, TimeUnit.SECONDS) ? "released" : "timed out";
            }
        }
    }
}
