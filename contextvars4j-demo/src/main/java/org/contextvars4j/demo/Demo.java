package org.contextvars4j.demo;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One run of the demo: the database, two service instances, the load, the checks after it. */
final class Demo {

    static final int FANOUT_THREADS = 8;
    static final int CLIENT_THREADS = 4;

    private Demo() {
    }

    /** The leak checks made after the load, once the service is idle. */
    static final class Leaks {
        final Map<String, Integer> activeConnections = new LinkedHashMap<>();
        final Map<String, Integer> totalConnections = new LinkedHashMap<>();
        final List<String> threadsHolding = new ArrayList<>();
        int threadsChecked;

        int leakedConnections() {
            return activeConnections.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Everything the report shows. */
    static final class Outcome {
        Options options;
        String mode;
        String runtime;
        int seededUsers;
        LoadRun.Results load;
        Leaks leaks;
        List<String> journeyLogLines = List.of();
        int hostileWithoutLogLine;
        Path logFile;
        Path htmlFile;

        boolean clean() {
            return load.mismatches == 0 && load.lostContext == 0 && load.memoNotOnce == 0 && load.errorCount() == 0
                    && !load.stoppedEarly && hostileFailures() == 0 && leaks.leakedConnections() == 0
                    && leaks.threadsHolding.isEmpty();
        }

        int hostileFailures() {
            int n = 0;
            for (LoadRun.HostileStats s : load.hostile.values()) {
                n += s.sent - s.expectedStatus + s.leakedData;
            }
            return n + hostileWithoutLogLine;
        }
    }

    static Outcome run(Options o, PrintStream out) throws Exception {
        return run(o, out, new CountDownLatch(1));
    }

    /**
     * Runs the demo; with {@code --serve}, serves until {@code stopServing} is released (by the
     * shutdown hook at Ctrl-C, or by a test), then prints the serve report and returns null.
     */
    static Outcome run(Options o, PrintStream out, CountDownLatch stopServing) throws Exception {
        Files.createDirectories(o.out);
        Path log = o.out.resolve("demo.log").toAbsolutePath();
        Traffic.reset();
        LogSetup.toFile(log, o.serve);          // --serve: each line in the file at once
        CountDownLatch served = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // Ctrl-C: end the serving, and let the report print and the log flush before the JVM goes.
            stopServing.countDown();
            try {
                served.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown");
        if (o.serve) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        Outcome outcome = new Outcome();
        outcome.options = o;
        outcome.logFile = log;
        outcome.runtime = "JDK " + Runtime.version().feature() + ", Jetty on "
                + (Threads.virtual() ? "virtual threads" : "a platform thread pool");
        int seeded = Math.max(50, o.users);
        outcome.seededUsers = seeded;
        String internalKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        ExecutorService clientThreads = Threads.fixedPool("ledger-client-", CLIENT_THREADS);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
        try (Db db = Db.start(seeded)) {
            int poolSize = Math.min(o.concurrency + 16, 400);
            Db.Pool apiPool = db.pool("api", poolSize);
            Db.Pool ledgerPool = db.pool("ledger", poolSize);
            ExecutorService fanOut = Threads.fixedPool("fanout-", FANOUT_THREADS);
            try (RequestState state = o.naive ? new NaiveState(apiPool, fanOut) : new LibraryState(fanOut)) {
                outcome.mode = state.label();
                Logger logger = LoggerFactory.getLogger("demo");
                logger.info("starting: {} mode, {}", state.label(), outcome.runtime);
                List<DemoService> services = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.function.Supplier<String> stats = () -> serveReport(state, db, fanOut, clientThreads, services);
                try (DemoService ledger = DemoService.start("ledger", db, ledgerPool, state, internalKey, null, client, fanOut);
                     DemoService api = DemoService.start("api", db, apiPool, state, internalKey, ledger.uri(), client, fanOut,
                             o.serve ? stats : null)) {
                    services.add(api);
                    services.add(ledger);
                    if (o.serve) {
                        serve(api.uri(), db.users(), log, out, stopServing);
                        out.printf("%nstopping; what the service saw since it started:%n%s", stats.get());
                        out.flush();
                        return null;
                    }
                    out.printf("contextvars4j demo: %s mode, %s; service on %s, downstream instance on %s%n",
                            state.label(), outcome.runtime, api.uri(), ledger.uri());
                    out.printf("load: %,d requests at concurrency %d over %d users (1 in %d hostile)%n",
                            o.requests, o.concurrency, o.users, LoadRun.HOSTILE_EVERY);
                    List<User> users = db.users().subList(0, o.users);
                    outcome.load = LoadRun.run(api.uri(), users, o.requests, o.concurrency, o.quiet, out);
                    outcome.leaks = checkLeaks(state, db, fanOut, clientThreads, api, ledger);
                    logger.info("load done");
                }
            }
        } finally {
            clientThreads.shutdownNow();
            LogSetup.stop();
            served.countDown();
            if (o.serve) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook is running and returns now that the report is out.
                }
            }
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        outcome.hostileWithoutLogLine = hostileWithoutLogLine(outcome.load, lines);
        if (outcome.load.sample != null) {
            String id = String.valueOf(outcome.load.sample.get("requestId"));
            List<String> journey = new ArrayList<>();
            for (String line : lines) {
                if (line.contains("rid=" + id + " ")) {
                    journey.add(line);
                }
            }
            outcome.journeyLogLines = journey;
        }
        outcome.htmlFile = o.out.resolve("report.html").toAbsolutePath();
        Files.writeString(outcome.htmlFile, Report.html(outcome), StandardCharsets.UTF_8);
        out.print(Report.text(outcome));
        return outcome;
    }

    private static int hostileWithoutLogLine(LoadRun.Results load, List<String> lines) {
        Set<String> logged = new HashSet<>();
        for (String line : lines) {
            int at = line.indexOf(" - rejected ");
            if (at >= 0) {
                String[] words = line.substring(at + " - rejected ".length()).split("[ :]", 3);
                if (words.length >= 2) {
                    logged.add(words[0] + " " + words[1]);
                }
            }
        }
        int missing = 0;
        for (String[] a : load.hostileAnswers) {
            if (!logged.contains(a[1] + " " + a[2])) {
                missing++;
                load.hostile.get(Hostile.valueOf(a[0])).withoutLogLine++;
            }
        }
        return missing;
    }

    /**
     * Once the load is over: connections still borrowed from each pool (after a short grace for
     * the last requests to end), and workers of every pool the requests ran on that still hold
     * request state.
     */
    private static Leaks checkLeaks(RequestState state, Db db, ExecutorService fanOut, ExecutorService clientThreads,
            DemoService... services) throws InterruptedException {
        Leaks leaks = new Leaks();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (Db.Pool pool : db.pools()) {
            int active = pool.stats().getActiveConnections();
            while (active > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
                active = pool.stats().getActiveConnections();
            }
            leaks.activeConnections.put(pool.name(), active);
            leaks.totalConnections.put(pool.name(), pool.stats().getTotalConnections());
        }
        Set<String> holding = new java.util.TreeSet<>();
        Set<String> checked = new HashSet<>();
        checkWorkers(state, fanOut, FANOUT_THREADS, checked, holding);
        checkWorkers(state, clientThreads, CLIENT_THREADS, checked, holding);
        checkWorkers(state, ForkJoinPool.commonPool(), Math.max(1, ForkJoinPool.getCommonPoolParallelism()), checked, holding);
        for (DemoService s : services) {
            checkWorkers(state, s.threads(), Math.max(1, s.threads().getIdleThreads()), checked, holding);
        }
        leaks.threadsHolding.addAll(holding);
        leaks.threadsChecked = checked.size();
        return leaks;
    }

    /** Runs {@code tasks} checks at once on {@code executor}, so that they land on distinct workers. */
    private static void checkWorkers(RequestState state, Executor executor, int tasks, Set<String> checked,
            Set<String> holding) throws InterruptedException {
        CountDownLatch arrived = new CountDownLatch(tasks);
        CountDownLatch done = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            executor.execute(() -> {
                try {
                    arrived.countDown();
                    arrived.await(2, TimeUnit.SECONDS);
                    String name = Thread.currentThread().getName();
                    boolean holds = state.currentThreadHolds();
                    synchronized (checked) {
                        checked.add(name);
                        if (holds) {
                            holding.add(name);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(10, TimeUnit.SECONDS);
    }

    /** One example printed by {@code --serve}: a shell command and what it must answer. */
    record Example(String command, int status, String claim) {
        @Override
        public String toString() {
            return command + "   # " + status + ": " + claim;
        }
    }

    /**
     * The examples {@code --serve} prints, each with the status it must get and what it shows;
     * {@code ServeExamplesTest} runs every one as printed.
     */
    static List<Example> examples(URI api, User a, User b) {
        String auth = "-H 'Authorization: Bearer " + a.token() + "'";
        List<Example> examples = new ArrayList<>();
        examples.add(new Example("curl -s " + auth + " -H 'X-Request-Id: try-1' " + api + "/api/dashboard", 200,
                "your dashboard: every part saw request try-1 and user " + a.name()));
        examples.add(new Example("curl -s -H 'Authorization: Bearer " + b.token() + "' " + api + "/api/orders", 200,
                b.name() + "'s orders, and no one else's"));
        examples.add(new Example("curl -s " + auth + " '" + api + "/api/orders?owner=" + b.id() + "'", 403,
                "not yours"));
        examples.add(new Example("curl -s " + auth + " -H 'baggage: cv.user_id=" + b.id() + "' " + api + "/api/dashboard", 400,
                "forged baggage: cv.* members are the service's own"));
        examples.add(new Example("curl -s " + auth + " -H 'baggage: k=v' -H 'baggage: cv.request_id=stolen' " + api
                + "/api/dashboard", 400, "forged baggage, in a second baggage header"));
        examples.add(new Example("curl -s " + auth + " -H 'X-Request-Id: ../../etc/passwd' " + api + "/api/dashboard", 400,
                "hostile request id"));
        examples.add(new Example("curl -s " + api + "/api/dashboard", 401, "no token"));
        examples.add(new Example("curl -s -H 'Authorization: Bearer tok-unknown' " + api + "/api/dashboard", 401,
                "unknown token"));
        examples.add(new Example("head -c 1000000 /dev/zero | curl -s " + auth
                + " -H 'Content-Type: application/octet-stream' --data-binary @- " + api + "/api/notes", 413, "body too large"));
        examples.add(new Example("curl -s " + auth + " " + api + "/api/nowhere", 404, "no such route"));
        examples.add(new Example("curl -s " + api + "/stats", 200,
                "leaked connections, threads holding a context, hostile requests by kind (also printed at Ctrl-C)"));
        return examples;
    }

    private static void serve(URI api, List<User> users, Path log, PrintStream out, CountDownLatch stop)
            throws InterruptedException {
        out.printf("contextvars4j demo service on %s (logs: %s). Try:%n%n", api, log);
        for (Example e : examples(api, users.get(0), users.get(1))) {
            out.printf("  %s%n", e);
        }
        out.printf("%nPress Ctrl-C to stop.%n");
        out.flush();
        stop.await();
    }

    /**
     * The serve report, for {@code /stats} and Ctrl-C: what the load run's report says about
     * leaks and hostile input, for the traffic so far.
     */
    private static String serveReport(RequestState state, Db db, ExecutorService fanOut, ExecutorService clientThreads,
            List<DemoService> services) {
        Leaks leaks;
        try {
            leaks = checkLeaks(state, db, fanOut, clientThreads, services.toArray(DemoService[]::new));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "  interrupted\n";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, "  %-16s %d   (HikariCP active connections now: %s, total %s)%n",
                "DB conns leaked", leaks.leakedConnections(), leaks.activeConnections, leaks.totalConnections));
        sb.append(String.format(java.util.Locale.ROOT, "  %-16s %d of %d worker threads checked%s%n", "threads holding",
                leaks.threadsHolding.size(), leaks.threadsChecked,
                leaks.threadsHolding.isEmpty() ? "" : ": " + leaks.threadsHolding));
        Map<String, Integer> hostile = Traffic.snapshot();
        sb.append(String.format(java.util.Locale.ROOT, "  %-16s %d   (refused or cut off, by kind; each has its log line)%n",
                "hostile input", hostile.values().stream().mapToInt(Integer::intValue).sum()));
        hostile.forEach((kind, n) -> sb.append(String.format(java.util.Locale.ROOT, "    %-40s %5d%n", kind, n)));
        return sb.toString();
    }
}
