package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("Spring's ContextPropagatingTaskDecorator on a ThreadPoolTaskExecutor carries the Context (P2)")
class SpringTaskDecoratorTest {

    private static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");

    // tag::spring-setup[]
    static ThreadPoolTaskExecutor contextPropagatingExecutor(int threads) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(threads);
        executor.setMaxPoolSize(threads);
        executor.setTaskDecorator(new ContextPropagatingTaskDecorator());   // Micrometer snapshot per task
        executor.initialize();
        return executor;
    }
    // end::spring-setup[]

    @Test
    @DisplayName("P2: 200 concurrent submissions from 8 threads, each in its own context, run in that context; the executor's threads are clean afterwards")
    void submit_200ConcurrentFromEightThreads_eachRunsInItsSubmittersContext() throws Exception {
        int workers = 8;
        ThreadPoolTaskExecutor executor = contextPropagatingExecutor(workers);
        ExecutorService submitters = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> batches = new ArrayList<>();
            for (int s = 0; s < 8; s++) {
                int submitter = s;
                batches.add(submitters.submit(() -> {
                    start.await();
                    List<Future<String>> mine = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        String id = "s" + submitter + "-r" + i;
                        try (Token<String> t = REQUEST_ID.set(id)) {
                            mine.add(executor.submit(() -> {
                                Thread.sleep(1);            // keep submissions overlapping
                                return id + "=" + REQUEST_ID.get();
                            }));
                        }
                    }
                    List<String> results = new ArrayList<>();
                    for (Future<String> f : mine) {
                        results.add(f.get(30, TimeUnit.SECONDS));
                    }
                    return results;
                }));
            }
            start.countDown();
            int count = 0;
            for (Future<List<String>> batch : batches) {
                for (String result : batch.get(40, TimeUnit.SECONDS)) {
                    String[] idAndSeen = result.split("=");
                    assertThat(idAndSeen[1]).isEqualTo(idAndSeen[0]);
                    count++;
                }
            }
            assertThat(count).isEqualTo(200);
            ContextLeakGuard.assertPoolClean(executor.getThreadPoolExecutor(), workers);
        } finally {
            submitters.shutdownNow();
            executor.shutdown();
        }
    }
}
