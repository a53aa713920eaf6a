package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.RequestVars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Requests per second of one Boot application with the starter's auto-configurations against
 * the same application with them excluded, both on Tomcat in this JVM, measured in alternating
 * rounds (each round measures both, the first of the two taking turns) after a warm-up. Not
 * part of the build; run it with
 * <pre>{@code
 * mvn -B -ntp -pl contextvars4j-spring-boot-autoconfigure test -Dtest=StarterThroughputBench -Dbench=true
 * }</pre>
 * (add {@code -Dbench.rounds=9 -Dbench.seconds=3} to change the rounds). It prints each round and
 * the median ratio.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
@ExtendWith(ContextLeakGuard.class)
class StarterThroughputBench {

    static final String OURS = String.join(",", ContextVarsExecutorAutoConfiguration.class.getName(),
            ContextVarsServletAutoConfiguration.class.getName(), ContextVarsLoggingAutoConfiguration.class.getName(),
            ContextVarsSecurityAutoConfiguration.class.getName(), ContextVarsRestClientAutoConfiguration.class.getName(),
            ContextVarsEndpointAutoConfiguration.class.getName());

    static final int CONCURRENCY = 50;

    @Test
    void throughput_withAndWithoutTheStarter_printed() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 9);
        int seconds = Integer.getInteger("bench.seconds", 3);
        String[] common = {"server.port=0", "spring.main.banner-mode=off", "logging.level.root=warn"};
        try (ConfigurableApplicationContext with = new SpringApplicationBuilder(BenchApp.class, TomcatLoadTest.Tomcat.class)
                        .properties(common).run();
                ConfigurableApplicationContext without = new SpringApplicationBuilder(BenchApp.class, TomcatLoadTest.Tomcat.class)
                        .properties(common).properties("spring.autoconfigure.exclude=" + OURS).run()) {
            String a = "http://localhost:" + with.getEnvironment().getProperty("local.server.port") + "/plain";
            String b = "http://localhost:" + without.getEnvironment().getProperty("local.server.port") + "/plain";
            for (int i = 0; i < 4; i++) {        // warm-up: both servers JIT-compiled before measuring
                run(a, seconds);
                run(b, seconds);
            }
            double[] ratios = new double[rounds];
            double[] ra = new double[rounds];
            double[] rb = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                if (i % 2 == 0) {                // alternate which goes first, so neither always follows the other
                    ra[i] = run(a, seconds);
                    rb[i] = run(b, seconds);
                } else {
                    rb[i] = run(b, seconds);
                    ra[i] = run(a, seconds);
                }
                ratios[i] = ra[i] / rb[i];
                System.out.printf("round %d: with the starter %.0f req/s, without %.0f req/s, ratio %.3f%n", i + 1, ra[i], rb[i], ratios[i]);
            }
            Arrays.sort(ratios);
            Arrays.sort(ra);
            Arrays.sort(rb);
            System.out.printf("median: with %.0f req/s, without %.0f req/s; median of the per-round ratios %.3f%n",
                    ra[rounds / 2], rb[rounds / 2], ratios[rounds / 2]);
            assertThat(ratios[rounds / 2]).isPositive();
        }
    }

    /** {@return requests per second of GET {@code url} at {@link #CONCURRENCY} for {@code seconds}} */
    private static double run(String url, int seconds) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("X-Request-Id", "bench-1").build();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            List<Future<Long>> counts = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < CONCURRENCY; i++) {
                counts.add(pool.submit(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
                        assertThat(r.statusCode()).isEqualTo(200);
                        n++;
                    }
                    return n;
                }));
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            long total = 0;
            for (Future<Long> f : counts) {
                total += f.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    /** The measured application: one endpoint that reads the request id when there is one. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({BenchApp.Plain.class, LoadApp.PermitAll.class})
    static class BenchApp {

        /** The endpoint. */
        @RestController
        public static class Plain {

            /** {@return "ok" and the request id, "-" without the starter} */
            @GetMapping("/plain")
            public String plain() {
                return "ok " + RequestVars.REQUEST_ID.orElse("-");
            }
        }
    }
}
