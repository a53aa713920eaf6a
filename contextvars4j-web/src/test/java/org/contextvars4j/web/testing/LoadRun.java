package org.contextvars4j.web.testing;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/** Drives many requests with a bounded number in flight and collects what did not match. */
public final class LoadRun {

    private final List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger done = new AtomicInteger();

    private LoadRun() {
    }

    /**
     * Sends {@code total} requests, at most {@code concurrency} in flight, and checks each response.
     *
     * @param check returns null when response {@code i} is right, else a description of what is wrong
     */
    public static LoadRun run(HttpClient client, int total, int concurrency, IntFunction<HttpRequest> request,
                              BiFunction<Integer, HttpResponse<String>, String> check) throws Exception {
        LoadRun run = new LoadRun();
        Semaphore inFlight = new Semaphore(concurrency);
        List<CompletableFuture<?>> all = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            int n = i;
            if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new AssertionError("no request finished for 60 s");
            }
            all.add(client.sendAsync(request.apply(n), HttpResponse.BodyHandlers.ofString())
                    .handle((response, failure) -> {
                        try {
                            String wrong = failure != null ? "failed: " + failure : check.apply(n, response);
                            if (wrong != null) {
                                run.mismatches.add("request " + n + ": " + wrong);
                            }
                            run.done.incrementAndGet();
                        } finally {
                            inFlight.release();
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
        return run;
    }

    /** {@return the requests whose response was wrong, with why} */
    public List<String> mismatches() {
        synchronized (mismatches) {
            return List.copyOf(mismatches);
        }
    }

    /** {@return how many requests finished} */
    public int done() {
        return done.get();
    }
}
