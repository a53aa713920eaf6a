package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/request-scope.md, "ThreadLocal or ContextVar", with virtual threads (JDK 21+): a thread per
 * task and a connection cached per thread means a connection per task; a scoped connection is
 * borrowed and given back by each task.
 */
@ExtendWith(ContextLeakGuard.class)
class VirtualThreadConnectionTest {

    static final int TASKS = 1_000;
    static final ThreadLocal<Connection> THREAD_CONNECTION = new ThreadLocal<>();

    /** A pool of 4 connections, filled before it is returned. */
    static HikariDataSource pool(int connectionTimeoutMillis) throws InterruptedException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:virtual_threads;DB_CLOSE_DELAY=-1");
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(connectionTimeoutMillis);
        config.setPoolName("virtual-threads");
        HikariDataSource dataSource = new HikariDataSource(config);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (dataSource.getHikariPoolMXBean().getIdleConnections() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return dataSource;
    }

    @Test
    @DisplayName("1,000 virtual threads with a per-thread connection: 4 get one and keep it, 996 fail")
    void threadLocalConnection_virtualThreadPerTask_exhaustsPool() throws Exception {
        Set<Connection> held = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        try (HikariDataSource dataSource = pool(250)) {
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < TASKS; i++) {
                    executor.submit(() -> {
                        try {
                            Connection c = THREAD_CONNECTION.get();
                            if (c == null) {
                                c = dataSource.getConnection();
                                THREAD_CONNECTION.set(c);
                            }
                            held.add(c);
                        } catch (SQLTransientConnectionException e) {
                            refused.incrementAndGet();
                        }
                        return null;
                    });
                }
            }
            assertThat(held).hasSize(4);
            assertThat(refused).hasValue(TASKS - 4);
            assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isEqualTo(4);
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    @DisplayName("1,000 virtual threads with a ScopedResource: every task served, 0 active at the end")
    void scopedConnection_virtualThreadPerTask_allServed() throws Exception {
        try (HikariDataSource dataSource = pool(60_000)) {
            ScopedResource<Connection> db = ScopedResource.of("db", dataSource::getConnection);
            List<Future<Boolean>> tasks = new ArrayList<>();
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < TASKS; i++) {
                    tasks.add(executor.submit(() -> RequestScope.call(() -> db.use(c -> c.isValid(10)))));
                }
                for (Future<Boolean> task : tasks) {
                    assertThat(task.get(120, TimeUnit.SECONDS)).isTrue();
                }
            }
            assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
        }
    }
}
