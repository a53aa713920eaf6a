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
        Files.createDirectories(o.out);
        Path log = o.out.resolve("demo.log").toAbsolutePath();
        LogSetup.toFile(log);
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
                try (DemoService ledger = DemoService.start("ledger", db, ledgerPool, state, internalKey, null, client, fanOut);
                     DemoService api = DemoService.start("api", db, apiPool, state, internalKey, ledger.uri(), client, fanOut)) {
                    if (o.serve) {
                        serve(api.uri(), db.users(), log, out);
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

    private static void serve(URI api, List<User> users, Path log, PrintStream out) throws InterruptedException {
        User a = users.get(0);
        User b = users.get(1);
        out.printf("contextvars4j demo service on %s (logs: %s). Try:%n%n", api, log);
        out.printf("  curl -s -H 'Authorization: Bearer %s' -H 'X-Request-Id: try-1' %s/api/dashboard%n", a.token(), api);
        out.printf("  curl -s -H 'Authorization: Bearer %s' %s/api/orders%n", b.token(), api);
        out.printf("  curl -s -H 'Authorization: Bearer %s' '%s/api/orders?owner=%d'      # 403: not yours%n",
                a.token(), api, b.id());
        out.printf("  curl -s -H 'Authorization: Bearer %s' -H 'baggage: user.id=%d' %s/api/dashboard   # 400: forged baggage%n",
                a.token(), b.id(), api);
        out.printf("  curl -s %s/api/dashboard                      # 401: no token%n", api);
        out.printf("  head -c 1000000 /dev/zero | curl -s -H 'Authorization: Bearer %s' -H 'Content-Type: application/octet-stream' --data-binary @- %s/api/notes   # 413%n",
                a.token(), api);
        out.printf("  curl -s -H 'Authorization: Bearer %s' %s/api/nowhere            # 404%n", a.token(), api);
        out.printf("%nPress Ctrl-C to stop.%n");
        out.flush();
        new CountDownLatch(1).await();
    }
}
