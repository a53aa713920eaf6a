package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The servlet load test, run by a subclass per server: 2,000 requests at concurrency 50 through
 * {@link LoadApp}, each fanned out to {@code @Async}, an executor built with Boot's builder
 * (virtual threads on JDK 21+), Boot's scheduler and a {@code RestClient} call to a second
 * application, which reads the allowed tenant var from the {@code baggage} header; then {@code Callable} and {@code DeferredResult} requests. Every answer and
 * every captured log line must carry the request's own id and user, and afterwards no worker
 * of Boot's executor and scheduler may hold a context or an MDC.
 */
@ExtendWith(ContextLeakGuard.class)
abstract class ServletLoadTestBase {

    static final int REQUESTS = 2_000;
    static final int CONCURRENCY = 50;
    static final int ASYNC_REQUESTS = 200;

    private static ConfigurableApplicationContext downstream;
    private static final Pattern LINE = Pattern.compile("\\[(\\S*) (\\S*)\\] (\\w+) (\\S+)\\|(\\S+)");

    @Value("${local.server.port}")
    int port;

    @Autowired
    Environment environment;

    @Autowired
    ThreadPoolTaskExecutor applicationTaskExecutor;

    @Autowired
    ThreadPoolTaskScheduler taskScheduler;

    @Autowired
    LoadApp.AsyncWork asyncWork;

    @Autowired
    org.springframework.boot.web.server.context.WebServerApplicationContext server;

    @BeforeAll
    static void startDownstream() {
        downstream = new SpringApplicationBuilder(LoadApp.Downstream.class)
                .properties("server.port=0", "spring.main.banner-mode=off", "logging.level.root=warn", LoadApp.ALLOW_TENANT)
                .run();
    }

    @AfterAll
    static void stopDownstream() {
        downstream.close();
    }

    @DynamicPropertySource
    static void downstreamUrl(DynamicPropertyRegistry registry) {
        registry.add("downstream.url", () -> "http://localhost:" + downstream.getEnvironment().getProperty("local.server.port"));
    }

    /** {@return the server the subclass means to run on, for example "Tomcat"} */
    abstract String serverName();

    @Test
    void load_server_isTheOneThisTestIsAbout() {
        assertThat(server.getWebServer().getClass().getSimpleName()).startsWith(serverName());
    }

    @Test
    void load_concurrentRequests_everyHopAndLogLineSeesItsOwnRequest() throws Exception {
        Capture capture = Capture.attach(environment.getProperty("logging.pattern.correlation") + "%msg");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
        List<String> mismatches = new ArrayList<>();
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS + 2 * ASYNC_REQUESTS; i++) {
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
            capture.detach();
        }
        assertThat(mismatches).as("answers whose hops saw another request").isEmpty();

        List<String> badLines = new ArrayList<>();
        for (String line : capture.lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !m.group(1).equals(m.group(4)) || !m.group(2).equals(m.group(5)) || !m.group(1).startsWith("load-")) {
                badLines.add(line);
            }
        }
        assertThat(badLines).as("log lines whose MDC is not their request's").isEmpty();
        assertThat(capture.lines).as("one line per hop").hasSize(REQUESTS * 4 + ASYNC_REQUESTS * 2 * 2);

        assertWorkersClean(applicationTaskExecutor.getThreadPoolExecutor(), applicationTaskExecutor.getPoolSize());
        assertWorkersClean(taskScheduler.getScheduledThreadPoolExecutor(), taskScheduler.getPoolSize());
        assertThat(asyncWork.runs()).as("runs of the @Scheduled job").isPositive();
        assertThat(asyncWork.contaminatedRuns()).as("@Scheduled runs that saw a request").isZero();
    }

    /** Sends request {@code n}; returns null when every hop saw it, else what went wrong. */
    private String call(HttpClient client, int n) throws Exception {
        String id = "load-" + n;
        String user = "user" + (n % 97);
        String path = n < REQUESTS ? "/work" : (n % 2 == 0 ? "/callable" : "/deferred");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("X-Request-Id", id).header("X-User", user).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        String me = id + "|" + user;
        String expected = n < REQUESTS
                ? String.join(" ", me, me, me, me, "remote:" + id + "|-|t-" + user)
                : me + " " + me;
        return response.statusCode() == 200 && response.body().equals(expected) && id.equals(response.headers().firstValue("X-Request-Id").orElse(null))
                ? null
                : path + " " + id + ": " + response.statusCode() + " " + response.body();
    }

    /** Every worker of {@code pool} (its {@code threads} threads at once) holds no context and no MDC. */
    private static void assertWorkersClean(ExecutorService pool, int threads) throws Exception {
        CyclicBarrier all = new CyclicBarrier(threads);
        List<Future<String>> probes = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            probes.add(pool.submit(() -> {
                all.await(10, TimeUnit.SECONDS);
                Map<String, String> mdc = MDC.getCopyOfContextMap();
                return ContextLeakGuard.isThreadClean() && (mdc == null || mdc.isEmpty())
                        ? null : Thread.currentThread().getName() + " mdc=" + mdc;
            }));
        }
        for (Future<String> probe : probes) {
            assertThat(probe.get(20, TimeUnit.SECONDS)).as("a worker left holding a context").isNull();
        }
    }

    /** Captures the lines of a logger ({@link LoadApp#LOG_NAME} by default), laid out with a pattern. */
    static final class Capture extends AppenderBase<ILoggingEvent> {

        final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private final PatternLayout layout = new PatternLayout();
        private final Logger logger;

        private Capture(Logger logger) {
            this.logger = logger;
        }

        static Capture attach(String pattern) {
            return attach(LoadApp.LOG_NAME, pattern);
        }

        /** Captures the lines of logger {@code name} at INFO and above; none reach the console meanwhile. */
        static Capture attach(String name, String pattern) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            Capture capture = new Capture(logger);
            LoggerContext context = logger.getLoggerContext();
            capture.setContext(context);
            capture.layout.setContext(context);
            capture.layout.setPattern(pattern);
            capture.layout.start();
            capture.start();
            logger.setLevel(Level.INFO);
            logger.setAdditive(false);
            logger.addAppender(capture);
            return capture;
        }

        void detach() {
            logger.detachAppender(this);
            logger.setAdditive(true);
            logger.setLevel(null);
            stop();
        }

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(layout.doLayout(event));
        }
    }
}
