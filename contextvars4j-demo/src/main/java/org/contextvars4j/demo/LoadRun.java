package org.contextvars4j.demo;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The load: {@code requests} requests at {@code concurrency} in flight, spread over the users,
 * about one in 32 of them hostile; every answer is checked as it arrives.
 */
final class LoadRun {

    /** The parts a dashboard answer must have, one per propagation point. */
    static final List<String> POINTS = List.of("handler", "executor", "executor", "virtual", "virtual", "chain",
            "chain", "downstream");
    static final int HOSTILE_EVERY = 32;

    private LoadRun() {
    }

    /** What the load found. Filled by the response callbacks under its own lock. */
    static final class Results {
        int sent;
        int checked;
        int answered;
        boolean stoppedEarly;
        double seconds;
        final List<Long> latencies = new ArrayList<>();
        int mismatches;
        int sawOtherRequestId;
        int sawOtherUser;
        int sawOtherUsersRows;
        int lostContext;
        int memoNotOnce;
        final Map<String, Integer> errors = new TreeMap<>();
        final List<String> examples = new ArrayList<>();
        final Map<Hostile, HostileStats> hostile = new EnumMap<>(Hostile.class);
        /** status + " " + request id of each hostile answer, to find its log line afterwards. */
        final List<String[]> hostileAnswers = new ArrayList<>();
        Map<String, Object> sample;
        boolean sampleFromMiddle;
        User sampleUser;
        long sampleSent;
        long sampleReceived;

        int errorCount() {
            return errors.values().stream().mapToInt(Integer::intValue).sum();
        }

        long percentileMicros(double p) {
            if (latencies.isEmpty()) {
                return 0;
            }
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }
    }

    /** Per kind of hostile input. */
    static final class HostileStats {
        int sent;
        int expectedStatus;
        int serverErrors;
        int otherStatus;
        int leakedData;
        int withoutLogLine;
    }

    static Results run(URI base, List<User> users, int requests, int concurrency, boolean quiet, PrintStream out)
            throws InterruptedException {
        Results results = new Results();
        ExecutorService clientThreads = Threads.fixedPool("load-client-", 4);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads)
                .connectTimeout(Duration.ofSeconds(10)).build();
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicInteger recentFailures = new AtomicInteger();
        Progress progress = Progress.start(requests, quiet, out);
        long start = System.nanoTime();
        int sampleAt = requests / 2;
        try {
            for (int i = 0; i < requests; i++) {
                inFlight.acquire();
                if (recentFailures.get() >= Math.max(50, concurrency)) {
                    // The service has stopped answering (the naive run exhausts its pool): stop sending.
                    inFlight.release();
                    synchronized (results) {
                        results.stoppedEarly = true;
                    }
                    break;
                }
                User caller = users.get(i % users.size());
                User other = users.get((i + 1 + (i / users.size()) % (users.size() - 1)) % users.size());
                String requestId = String.format("req-%06d", i);
                Hostile hostile = i % HOSTILE_EVERY == HOSTILE_EVERY - 1
                        ? Hostile.values()[(i / HOSTILE_EVERY) % Hostile.values().length] : null;
                HttpRequest.Builder b = hostile != null
                        ? hostile.request(base, requestId, caller, other, i)
                        : HttpRequest.newBuilder(base.resolve("/api/dashboard"))
                                .header(AdmissionFilter.REQUEST_ID, requestId)
                                .header("Authorization", "Bearer " + caller.token());
                HttpRequest request = b.timeout(Duration.ofSeconds(60)).build();
                long t0 = System.nanoTime();
                long sent = Clock.micros();
                boolean sample = i >= sampleAt;
                synchronized (results) {
                    results.sent++;
                }
                CompletableFuture<HttpResponse<String>> answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
                answer.whenComplete((response, failure) -> {
                    try {
                        long micros = (System.nanoTime() - t0) / 1_000;
                        synchronized (results) {
                            results.answered++;
                            boolean failed;
                            if (hostile != null) {
                                failed = checkHostile(results, hostile, response, failure, users, caller);
                            } else {
                                failed = check(results, requestId, caller, response, failure, micros);
                                if (!failed && (results.sample == null || (sample && !results.sampleFromMiddle))) {
                                    results.sampleFromMiddle = sample;
                                    results.sample = Json.object(Json.parse(response.body()));
                                    results.sampleUser = caller;
                                    results.sampleSent = sent;
                                    results.sampleReceived = Clock.micros();
                                }
                            }
                            if (failed) {
                                recentFailures.incrementAndGet();
                            } else if (hostile == null) {
                                recentFailures.set(0);
                            }
                        }
                        progress.step();
                    } finally {
                        inFlight.release();
                    }
                });
            }
            if (!inFlight.tryAcquire(concurrency, 120, TimeUnit.SECONDS)) {
                out.println("warning: requests still unanswered after 120 s");
            }
        } finally {
            results.seconds = (System.nanoTime() - start) / 1e9;
            progress.close();
            clientThreads.shutdownNow();
        }
        return results;
    }

    /** Checks a normal request's answer; returns whether it failed (an error, not a mismatch). */
    private static boolean check(Results r, String requestId, User caller, HttpResponse<String> response,
            Throwable failure, long micros) {
        if (failure != null || response.statusCode() != 200) {
            String key = failure != null ? "client: " + rootMessage(failure) : "HTTP " + response.statusCode();
            r.errors.merge(key, 1, Integer::sum);
            return true;
        }
        r.checked++;
        r.latencies.add(micros);
        boolean otherId = false;
        boolean otherUser = false;
        boolean otherRows = false;
        boolean lost = false;
        String echoed = response.headers().firstValue(AdmissionFilter.REQUEST_ID).orElse(null);
        otherId |= !requestId.equals(echoed);
        Map<String, Object> body = Json.object(Json.parse(response.body()));
        List<String> problems = new ArrayList<>();
        otherId |= !requestId.equals(body.get("requestId"));
        otherUser |= !caller.name().equals(body.get("user"));
        if (!Objects.equals(1L, body.get("profileLoads"))) {
            r.memoNotOnce++;
        }
        List<Object> parts = Json.array(body.get("parts"));
        List<String> points = new ArrayList<>();
        for (Object o : parts) {
            Map<String, Object> part = Json.object(o);
            String point = String.valueOf(part.get("point"));
            points.add(point);
            if (part.containsKey("error")) {
                lost = true;
                problems.add(point + " answered " + part.get("error"));
                continue;
            }
            Object seenId = part.get("requestId");
            Object seenUser = part.get("user");
            Object profile = part.get("profile");
            if (seenId == null || seenUser == null || profile == null || "null".equals(profile)) {
                lost = true;
                problems.add(point + " on " + part.get("thread") + " saw no request (id " + seenId + ", user " + seenUser + ")");
            }
            if (seenId != null && !requestId.equals(seenId)) {
                otherId = true;
                problems.add(point + " on " + part.get("thread") + " saw request " + seenId);
            }
            if ((seenUser != null && !caller.name().equals(seenUser))
                    || (profile != null && !"null".equals(profile) && !caller.name().equals(profile))) {
                otherUser = true;
                problems.add(point + " on " + part.get("thread") + " saw user " + seenUser + " / profile " + profile);
            }
            List<Object> rows = Json.array(part.get("rows"));
            if (rows.isEmpty()) {
                lost = true;
            }
            for (Object owner : rows) {
                if (!Objects.equals(caller.id(), owner)) {
                    otherRows = true;
                    problems.add(point + " on " + part.get("thread") + " read rows of user " + owner);
                    break;
                }
            }
        }
        if (!points.equals(POINTS)) {
            lost = true;
            problems.add("parts " + points);
        }
        if (otherId) {
            r.sawOtherRequestId++;
        }
        if (otherUser) {
            r.sawOtherUser++;
        }
        if (otherRows) {
            r.sawOtherUsersRows++;
        }
        if (lost) {
            r.lostContext++;
        }
        if (otherId || otherUser || otherRows) {
            r.mismatches++;
        }
        if ((otherId || otherUser || otherRows || lost) && r.examples.size() < 5) {
            r.examples.add(requestId + " by " + caller.name() + ": " + String.join("; ", problems.subList(0, Math.min(3, problems.size()))));
        }
        return false;
    }

    private static boolean checkHostile(Results r, Hostile kind, HttpResponse<String> response, Throwable failure,
            List<User> users, User caller) {
        HostileStats s = r.hostile.computeIfAbsent(kind, k -> new HostileStats());
        s.sent++;
        if (failure != null) {
            s.otherStatus++;
            r.errors.merge("client: " + rootMessage(failure), 1, Integer::sum);
            return true;
        }
        int status = response.statusCode();
        if (status == kind.expected) {
            s.expectedStatus++;
        } else if (status >= 500) {
            s.serverErrors++;
        } else {
            s.otherStatus++;
        }
        String body = response.body();
        boolean leaked = body.contains("\"rows\"") || body.contains("\"parts\"");
        for (User u : users) {
            leaked |= body.contains(u.token()) || (u != caller && body.contains("\"" + u.name() + "\""));
        }
        if (leaked) {
            s.leakedData++;
        }
        r.hostileAnswers.add(new String[] {kind.name(), Integer.toString(status),
            response.headers().firstValue(AdmissionFilter.REQUEST_ID).orElse("")});
        return status >= 500;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    /** A progress bar on a terminal, plain lines otherwise. */
    private static final class Progress implements AutoCloseable {
        private final ProgressBar bar;
        private final PrintStream plain;
        private final int total;
        private final AtomicInteger done = new AtomicInteger();

        private Progress(ProgressBar bar, PrintStream plain, int total) {
            this.bar = bar;
            this.plain = plain;
            this.total = total;
        }

        static Progress start(int total, boolean quiet, PrintStream out) {
            if (quiet) {
                return new Progress(null, null, total);
            }
            if (onTerminal()) {
                return new Progress(new ProgressBarBuilder().setTaskName("load").setInitialMax(total)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" req", 1).showSpeed()
                        .setUpdateIntervalMillis(200).build(), null, total);
            }
            return new Progress(null, out, total);
        }

        /** Whether standard output is a terminal: JDK 22+ has a console even when it is not, and says so. */
        private static boolean onTerminal() {
            java.io.Console console = System.console();
            if (console == null) {
                return false;
            }
            try {
                return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException e) {
                return true;        // JDK 17-21: a console exists only on a terminal
            }
        }

        void step() {
            int n = done.incrementAndGet();
            if (bar != null) {
                bar.step();
            } else if (plain != null && (n % Math.max(1, total / 10) == 0)) {
                plain.printf("load: %d/%d requests answered%n", n, total);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
