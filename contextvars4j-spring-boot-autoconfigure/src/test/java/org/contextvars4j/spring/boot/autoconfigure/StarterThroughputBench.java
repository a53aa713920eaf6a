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
 * the same application with all of them excluded, both on Tomcat and both up at once in this
 * JVM. After a warm-up, it measures many short rounds; each round measures both applications
 * back to back, the first of the two taking turns, so that a noisy second (a GC pause, another
 * process) hits both sides equally often. It prints each round, then one line with the median of
 * the per-round ratios (with / without) and their inter-quartile range. A second line gives, per
 * round, the process CPU time and the bytes all threads allocated per request, with and without:
 * the client and the idle application are the same on both sides, so their difference is the
 * starter's, and they move less with the machine's load than requests per second. Not part of the build;
 * run it (about 2 minutes, Maven included) with
 * <pre>{@code
 * mvn -B -ntp -pl contextvars4j-spring-boot-autoconfigure test -Dtest=StarterThroughputBench -Dbench=true
 * }</pre>
 * {@code -Dbench.rounds=60 -Dbench.millis=500 -Dbench.warmup=10} change the rounds, their length and
 * the warm-up rounds per application.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
@ExtendWith(ContextLeakGuard.class)
class StarterThroughputBench {

    static final int CONCURRENCY = 50;

    @Test
    void throughput_withAndWithoutTheStarter_printed() throws Exception {
        String[] common = {"server.port=0", "spring.main.banner-mode=off", "logging.level.root=warn"};
        try (ConfigurableApplicationContext with = new SpringApplicationBuilder(BenchApp.class, TomcatLoadTest.Tomcat.class)
                        .properties(common).run();
                ConfigurableApplicationContext without = new SpringApplicationBuilder(BenchApp.class, TomcatLoadTest.Tomcat.class)
                        .properties(common).properties("spring.autoconfigure.exclude=" + String.join(",", ours())).run()) {
            assertThat(with.containsBean("contextVarsRequestScopeFilter")).isTrue();
            assertThat(without.containsBean("contextVarsRequestScopeFilter")).isFalse();
            try (Load a = new Load("http://localhost:" + with.getEnvironment().getProperty("local.server.port") + "/plain");
                    Load b = new Load("http://localhost:" + without.getEnvironment().getProperty("local.server.port") + "/plain")) {
                measure(a, b);
            }
        }
    }

    private static void measure(Load a, Load b) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 60);
        int millis = Integer.getInteger("bench.millis", 500);
        int warmup = Integer.getInteger("bench.warmup", 10);
        for (int i = 0; i < warmup; i++) {   // both servers JIT-compiled before measuring
            a.run(millis);
            b.run(millis);
        }
        double[] ratios = new double[rounds];
        double[] ra = new double[rounds];
        double[] rb = new double[rounds];
        double[] cpuRatios = new double[rounds];
        double[] ca = new double[rounds];
        double[] cb = new double[rounds];
        double[] ba = new double[rounds];
        double[] bb = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            if (i % 2 == 0) {
                ra[i] = a.run(millis);
                rb[i] = b.run(millis);
            } else {
                rb[i] = b.run(millis);
                ra[i] = a.run(millis);
            }
            ratios[i] = ra[i] / rb[i];
            ca[i] = a.cpuPerRequest;
            cb[i] = b.cpuPerRequest;
            ba[i] = a.bytesPerRequest;
            bb[i] = b.bytesPerRequest;
            cpuRatios[i] = ca[i] / cb[i];
            System.out.printf("round %d: with the starter %.0f req/s, without %.0f req/s, ratio %.3f;"
                    + " CPU per request %.1f / %.1f us, allocated %.0f / %.0f B%n",
                    i + 1, ra[i], rb[i], ratios[i], ca[i] / 1e3, cb[i] / 1e3, ba[i], bb[i]);
        }
        for (double[] values : new double[][] {ratios, ra, rb, cpuRatios, ca, cb, ba, bb}) {
            Arrays.sort(values);
        }
        System.out.printf("StarterThroughputBench: with/without = %.3f (median of %d rounds of %d ms; inter-quartile range %.3f-%.3f;"
                + " median with %.0f req/s, without %.0f req/s; %d cores, JDK %s)%n",
                quantile(ratios, 0.5), rounds, millis, quantile(ratios, 0.25), quantile(ratios, 0.75),
                quantile(ra, 0.5), quantile(rb, 0.5), Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.out.printf("StarterThroughputBench: process CPU per request with/without = %.3f (inter-quartile range %.3f-%.3f;"
                + " median %.1f / %.1f us); allocated per request (all threads, client included) median %.0f / %.0f B%n",
                quantile(cpuRatios, 0.5), quantile(cpuRatios, 0.25), quantile(cpuRatios, 0.75),
                quantile(ca, 0.5) / 1e3, quantile(cb, 0.5) / 1e3, quantile(ba, 0.5), quantile(bb, 0.5));
        assertThat(quantile(ratios, 0.5)).isPositive();
    }

    /** {@return the starter's auto-configurations, as its {@code AutoConfiguration.imports} lists them} */
    static List<String> ours() throws java.io.IOException {
        try (var in = StarterThroughputBench.class.getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        }
    }

    /** {@return the {@code q} quantile of sorted {@code values}, interpolated linearly} */
    static double quantile(double[] values, double q) {
        double position = q * (values.length - 1);
        int low = (int) Math.floor(position);
        int high = Math.min(low + 1, values.length - 1);
        return values[low] + (values[high] - values[low]) * (position - low);
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** {@return the bytes allocated so far by the live threads (pooled: the same threads across rounds)} */
    static long allocatedBytes() {
        long sum = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            sum += Math.max(bytes, 0);
        }
        return sum;
    }

    /** The load: one HTTP client and {@link #CONCURRENCY} client threads per application, kept for the whole run. */
    private static final class Load implements AutoCloseable {
        final HttpClient client = HttpClient.newHttpClient();
        final ExecutorService threads = Executors.newFixedThreadPool(CONCURRENCY);
        final HttpRequest request;
        /** The last run's process CPU time per request, in ns (client and both servers; the other server is idle). */
        double cpuPerRequest;
        /** The last run's bytes allocated per request by all live threads. */
        double bytesPerRequest;

        Load(String url) {
            request = HttpRequest.newBuilder(URI.create(url)).header("X-Request-Id", "bench-1").build();
        }

        /** {@return requests per second at {@link #CONCURRENCY} for {@code millis}} */
        double run(int millis) throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Long>> counts = new ArrayList<>();
            long bytesBefore = allocatedBytes();
            long cpuBefore = OS.getProcessCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < CONCURRENCY; i++) {
                counts.add(threads.submit(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
                        assertThat(r.statusCode()).isEqualTo(200);
                        n++;
                    }
                    return n;
                }));
            }
            Thread.sleep(millis);
            stop.set(true);
            long total = 0;
            for (Future<Long> f : counts) {
                total += f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            cpuPerRequest = (OS.getProcessCpuTime() - cpuBefore) / (double) total;
            bytesPerRequest = (allocatedBytes() - bytesBefore) / (double) total;
            return total / seconds;
        }

        @Override
        public void close() {
            threads.shutdown();
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
