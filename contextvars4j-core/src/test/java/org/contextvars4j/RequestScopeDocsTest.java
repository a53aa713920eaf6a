package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The examples of {@code docs/request-scope.md}, compiled and run (keep them identical), and the
 * "ThreadLocal or ContextVar" comparison on a real pool: a connection cached per thread is never
 * returned, and a thread per request means a connection per thread.
 */
@ExtendWith(ContextLeakGuard.class)
class RequestScopeDocsTest extends ScopePoolTestBase {

    static final AtomicInteger LOADS = new AtomicInteger();

    record User(int id, String name) {
    }

    static User loadUser(int id) {
        LOADS.incrementAndGet();
        return new User(id, "user-" + id);
    }

    static HikariDataSource dataSource;

    RequestScopeDocsTest() {
        super(4);
    }

    @BeforeEach
    void startPool() throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:request_scope_docs;DB_CLOSE_DELAY=-1");
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(250);
        config.setPoolName("request-scope-docs");
        dataSource = new HikariDataSource(config);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS users (id INT PRIMARY KEY, name VARCHAR(64))");
            s.execute("MERGE INTO users VALUES (1, 'ada'), (2, 'grace')");
        }
    }

    @AfterEach
    void stopPool() {
        dataSource.close();
    }

    // --- docs/request-scope.md: "Memoizing per request" ---------------------------------------

    // [memoizer]
    static final ScopedMemoizer<Integer, User> USER_BY_ID = ScopedMemoizer.of("user_by_id", id -> loadUser(id));

    String handle(int id) {
        User first = USER_BY_ID.apply(id);          // computed
        User again = USER_BY_ID.apply(id);          // the same object, from this request's cache
        return first == again ? first.name() : "two loads";
    }
    // [memoizer]

    @Test
    @DisplayName("docs: memoizer, once per request, again in the next request")
    void docs_memoizer() throws Exception {
        int before = LOADS.get();
        // [memoizer-use]
        String page = RequestScope.call(() -> handle(1));
        // [memoizer-use]
        assertThat(page).isEqualTo("user-1");
        RequestScope.call(() -> handle(1));
        assertThat(LOADS.get() - before).isEqualTo(2);
    }

    // [async-memoizer]
    static final ScopedAsyncMemoizer<Integer, User> USER_ASYNC =
            ScopedAsyncMemoizer.of("user_async", id -> CompletableFuture.supplyAsync(() -> loadUser(id)));
    // [async-memoizer]

    @Test
    @DisplayName("docs: async memoizer, callers of a key share one computation")
    void docs_asyncMemoizer() {
        int before = LOADS.get();
        // [async-memoizer-use]
        RequestScope.run(() -> {
            CompletableFuture<User> a = USER_ASYNC.apply(2);   // starts the load
            CompletableFuture<User> b = USER_ASYNC.apply(2);   // shares it: one load
            assertThat(a.join()).isSameAs(b.join());
        });
        // [async-memoizer-use]
        assertThat(LOADS.get() - before).isEqualTo(1);
    }

    // --- docs/request-scope.md: "A connection per request" ------------------------------------

    // [resource]
    static final ScopedResource<Connection> DB = ScopedResource.of("db", () -> dataSource.getConnection());

    static List<String> userNames() throws SQLException {
        return DB.use(connection -> {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM users ORDER BY id")) {
                List<String> found = new ArrayList<>();
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
                return found;
            }
        });
    }
    // [resource]

    @Test
    @DisplayName("docs: resource, one connection for the request, closed at its end")
    void docs_resource() throws Exception {
        // [resource-use]
        List<String> names = RequestScope.call(() -> {
            List<String> first = userNames();       // opens the request's connection
            List<String> second = userNames();      // the same connection
            return first.equals(second) ? first : List.of();
        });                                          // closed here, even if the body throws
        // [resource-use]
        assertThat(names).containsExactly("ada", "grace");
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
    }

    @Test
    @DisplayName("docs: open/close for a request that ends on another thread (an async servlet)")
    void docs_openClose() throws Exception {
        CompletableFuture<List<String>> response = new Context().call(() -> {
            // [open-close]
            RequestScope scope = RequestScope.open();
            CompletableFuture<List<String>> result = ContextCompletableFuture.supplyAsync(() -> {
                try {
                    return userNames();              // runs in the request's scope, on a pool thread
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, pool);
            result.whenComplete((names, failure) -> scope.close());   // ends it on the completing thread
            // [open-close]
            return result;
        });
        assertThat(response.get()).containsExactly("ada", "grace");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (dataSource.getHikariPoolMXBean().getActiveConnections() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
    }

    // --- docs/request-scope.md: "ThreadLocal or ContextVar" -----------------------------------

    // [thread-local]
    static final ThreadLocal<Connection> THREAD_CONNECTION = new ThreadLocal<>();

    static Connection threadConnection() throws SQLException {
        Connection c = THREAD_CONNECTION.get();       // the articles' get_connection()
        if (c == null) {
            c = dataSource.getConnection();
            THREAD_CONNECTION.set(c);
        }
        return c;
    }
    // [thread-local]

    static int countUsers(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM users"); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    @DisplayName("a connection cached per pool thread is never returned: every worker keeps one after its requests ended")
    void threadLocalConnection_onPoolThreads_neverReturned() throws Exception {
        Set<Connection> held = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Integer>> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            requests.add(CompletableFuture.supplyAsync(() -> {
                try {
                    Connection c = threadConnection();
                    held.add(c);
                    return countUsers(c);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, raw));
        }
        for (CompletableFuture<Integer> r : requests) {
            assertThat(r.get()).isEqualTo(2);
        }
        // 40 requests ended, yet every worker that served one still holds its connection.
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isEqualTo(held.size()).isPositive();
        closeAll(held);

        AtomicInteger served = new AtomicInteger();
        for (int i = 0; i < 40; i++) {
            pool.submit(() -> RequestScope.run(() -> served.addAndGet(countViaScope()))).get();
        }
        assertThat(served).hasValue(80);
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
    }

    static int countViaScope() {
        try {
            return DB.use(RequestScopeDocsTest::countUsers);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void closeAll(Set<Connection> connections) throws SQLException {
        for (Connection c : connections) {
            c.close();
        }
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
    }

    @Test
    @DisplayName("a thread per request (as with virtual threads) and a per-thread connection: one connection per thread, the pool runs dry")
    void threadLocalConnection_threadPerRequest_exhaustsPool_scopedResourceDoesNot() throws Exception {
        Set<Connection> held = ConcurrentHashMap.newKeySet();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 6; i++) {                 // 6 requests, one after the other, each on a new thread
            Thread t = new Thread(() -> {
                try {
                    Connection c = threadConnection();
                    held.add(c);
                    countUsers(c);
                } catch (SQLException e) {
                    failures.add(e);
                }
            });
            t.start();
            t.join();
        }
        // Each finished thread kept its connection: the pool of 4 is gone, requests 5 and 6 found none.
        assertThat(failures).hasSize(2).allMatch(f -> f instanceof SQLTransientConnectionException);
        assertThat(held).hasSize(4);
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isEqualTo(4);
        closeAll(held);

        AtomicInteger served = new AtomicInteger();
        for (int i = 0; i < 6; i++) {                 // the same 6 requests with a scoped connection
            Thread t = new Thread(() -> RequestScope.run(() -> served.addAndGet(countViaScope())));
            t.start();
            t.join();
        }
        assertThat(served).hasValue(12);
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
    }
}
