package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scoped resources on a real H2 database through a real HikariCP pool: one connection per scope,
 * never shared between scopes, closed at the scope's end however it ends, and the pool's own
 * MXBean back at 0 active connections.
 */
@ExtendWith(ContextLeakGuard.class)
class RequestScopeJdbcTest extends ScopePoolTestBase {

    static final int CONCURRENT_SCOPES = 200;
    static final int TOTAL_SCOPES = 10_000;

    static HikariDataSource dataSource;

    /**
     * A connection lent to one scope. Opening claims the physical connection for the scope in
     * {@link #OWNERS}; closing releases the claim, then returns the connection to the pool. Two
     * scopes holding one physical connection at once would find the other's claim.
     */
    record Lease(Connection connection, RequestScope owner) implements AutoCloseable {
        static final Map<Connection, RequestScope> OWNERS = new ConcurrentHashMap<>();
        static final Queue<String> VIOLATIONS = new ConcurrentLinkedQueue<>();
        static final AtomicInteger OPENED = new AtomicInteger();
        static final AtomicInteger CLOSED = new AtomicInteger();

        static Lease open() throws SQLException {
            RequestScope scope = RequestScope.current().orElseThrow();
            Connection c = dataSource.getConnection();
            RequestScope previous = OWNERS.putIfAbsent(physical(c), scope);
            if (previous != null) {
                VIOLATIONS.add("connection of " + previous + " also opened by " + scope);
            }
            OPENED.incrementAndGet();
            return new Lease(c, scope);
        }

        static Connection physical(Connection c) throws SQLException {
            return c.unwrap(Connection.class);
        }

        /** Checks that the current scope is this lease's owner and holds the physical connection. */
        Connection checked() throws SQLException {
            RequestScope scope = RequestScope.current().orElseThrow();
            if (owner != scope || OWNERS.get(physical(connection)) != scope) {
                VIOLATIONS.add(scope + " was handed the connection of " + owner);
            }
            return connection;
        }

        @Override
        public void close() throws SQLException {
            OWNERS.remove(physical(connection), owner);
            CLOSED.incrementAndGet();
            connection.close();
        }
    }

    static final ScopedResource<Lease> DB = ScopedResource.of("db", Lease::open);

    RequestScopeJdbcTest() {
        super(CONCURRENT_SCOPES);
    }

    @BeforeAll
    static void startPool() throws SQLException, InterruptedException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:request_scope;DB_CLOSE_DELAY=-1");
        config.setMaximumPoolSize(CONCURRENT_SCOPES);
        config.setMinimumIdle(CONCURRENT_SCOPES);          // filled up front, as a server's pool is
        config.setConnectionTimeout(60_000);
        config.setPoolName("request-scope-test");
        dataSource = new HikariDataSource(config);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (dataSource.getHikariPoolMXBean().getIdleConnections() < CONCURRENT_SCOPES && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS audit (id INT PRIMARY KEY)");
        }
    }

    @AfterAll
    static void stopPool() {
        dataSource.close();
    }

    @AfterEach
    void poolAtRest() {
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).as("active connections").isZero();
        assertThat(Lease.OWNERS).isEmpty();
        assertThat(Lease.VIOLATIONS).isEmpty();
        assertThat(Lease.OPENED.get()).isEqualTo(Lease.CLOSED.get());
    }

    private static int selectOne(Connection c, int value) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT ?")) {
            s.setInt(1, value);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    @DisplayName("200 concurrent scopes, 10,000 in all: each its own connection, never two scopes on one, all closed, 0 active")
    void scopes_concurrent_eachOwnConnection_allClosed() throws Exception {
        int opensBefore = Lease.OPENED.get();
        CountDownLatch allStarted = new CountDownLatch(CONCURRENT_SCOPES);
        List<Future<?>> scopes = new ArrayList<>();
        for (int i = 0; i < TOTAL_SCOPES; i++) {
            int n = i;
            scopes.add(raw.submit(() -> RequestScope.run(() -> {
                try {
                    Lease first = DB.use(lease -> {
                        assertThat(selectOne(lease.checked(), n)).isEqualTo(n);
                        return lease;
                    });
                    if (n < CONCURRENT_SCOPES) {
                        allStarted.countDown();              // the first 200 hold their connections together
                        assertThat(allStarted.await(60, TimeUnit.SECONDS)).isTrue();
                    }
                    Lease second = DB.use(lease -> {
                        assertThat(selectOne(lease.checked(), -n)).isEqualTo(-n);
                        return lease;
                    });
                    assertThat(second).isSameAs(first);
                } catch (SQLException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            })));
        }
        for (Future<?> scope : scopes) {
            scope.get(120, TimeUnit.SECONDS);
        }
        assertThat(Lease.OPENED.get() - opensBefore).isEqualTo(TOTAL_SCOPES);
        assertThat(dataSource.getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo(CONCURRENT_SCOPES);
    }

    @Test
    @DisplayName("the connection is closed at the scope's end when the body throws")
    void bodyThrows_connectionClosed() {
        AtomicReference<Connection> held = new AtomicReference<>();
        Throwable thrown = catchThrowable(() -> RequestScope.run(() -> {
            held.set(DB.get().connection());
            throw new IllegalStateException("handler failed");
        }));
        assertThat(thrown).hasMessage("handler failed").hasNoSuppressedExceptions();
        assertThat(isClosed(held.get())).isTrue();
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("a hand-off still running at the end: the connection is closed, and its later use is refused naming the resource")
    void handOffStillRunning_connectionClosed_laterUseRefused() throws Exception {
        CountDownLatch scopeEnded = new CountDownLatch(1);
        AtomicReference<Connection> held = new AtomicReference<>();
        AtomicReference<Future<Throwable>> escaped = new AtomicReference<>();
        RequestScope.run(() -> {
            held.set(DB.get().connection());
            escaped.set(pool.submit(() -> {
                assertThat(scopeEnded.await(60, TimeUnit.SECONDS)).isTrue();
                return catchThrowable(() -> DB.use(lease -> selectOne(lease.connection(), 1)));
            }));
        });
        assertThat(isClosed(held.get())).isTrue();
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
        scopeEnded.countDown();
        assertThat(escaped.get().get(60, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("ScopedResource\\[db] is closed: RequestScope\\[#[0-9a-f]+, ended] has ended");
    }

    @Test
    @DisplayName("the scope's end waits for a use() in progress on another thread, then closes the connection")
    void useInProgress_endWaitsForIt() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        CountDownLatch inUse = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Future<Integer>> handOff = new AtomicReference<>();
        Thread releaser = new Thread(() -> {
            try {
                assertThat(inUse.await(60, TimeUnit.SECONDS)).isTrue();
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        });
        releaser.start();
        ScopedResource<AutoCloseable> marker = ScopedResource.of("marker", () -> () -> events.add("closed"));
        RequestScope.run(() -> {
            marker.get();
            DB.get();
            handOff.set(pool.submit(() -> DB.use(lease -> {
                inUse.countDown();
                assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                int one = selectOne(lease.checked(), 1);
                events.add("use ended");
                return one;
            })));
            try {
                assertThat(inUse.await(60, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(handOff.get().get(60, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(events).containsExactly("use ended", "closed");
        releaser.join(60_000);
    }

    @Test
    @DisplayName("a failing opener (a closed pool) registers nothing; the next use retries and succeeds")
    void opener_failsOnClosedPool_nextUseRetries() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:request_scope;DB_CLOSE_DELAY=-1");
        config.setPoolName("closed-pool");
        HikariDataSource closed = new HikariDataSource(config);
        closed.close();
        AtomicInteger attempts = new AtomicInteger();
        ScopedResource<Connection> flaky = ScopedResource.of("flaky_db",
                () -> attempts.incrementAndGet() == 1 ? closed.getConnection() : dataSource.getConnection());
        AtomicReference<Connection> opened = new AtomicReference<>();
        RequestScope.call(() -> {
            assertThat(catchThrowable(flaky::get)).isInstanceOf(ScopedResourceException.class)
                    .hasMessageStartingWith("cannot open ScopedResource[flaky_db]: java.sql.SQLException")
                    .hasCauseInstanceOf(SQLException.class);
            assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
            opened.set(flaky.get());
            int seven = flaky.use(c -> selectOne(c, 7));
            assertThat(seven).isEqualTo(7);
            assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isEqualTo(1);
            return null;
        });
        assertThat(attempts).hasValue(2);
        assertThat(isClosed(opened.get())).isTrue();
    }

    /** A unit of work whose close writes an audit row, and always returns its connection. */
    record Audited(Connection connection, int id) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            try (PreparedStatement s = connection.prepareStatement("INSERT INTO audit VALUES (?)")) {
                s.setInt(1, id);
                s.executeUpdate();
            } finally {
                connection.close();
            }
        }
    }

    @Test
    @DisplayName("a failing close (a duplicate key in H2): suppressed into the body's exception, or thrown after all are closed")
    void close_failsInDatabase_suppressedOrThrown_connectionsClosed() throws Exception {
        ScopedResource<Audited> audit = ScopedResource.of("audit", () -> new Audited(dataSource.getConnection(), 1));
        RequestScope.run(() -> audit.get());                    // row 1 exists from now on
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();

        Throwable bodyFailure = catchThrowable(() -> RequestScope.run(() -> {
            audit.get();
            DB.get();
            throw new IllegalArgumentException("handler failed");
        }));
        assertThat(bodyFailure).hasMessage("handler failed");
        assertThat(bodyFailure.getSuppressed()).singleElement().isInstanceOf(SQLException.class);
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();

        AtomicReference<Connection> other = new AtomicReference<>();
        Throwable closeFailure = catchThrowable(() -> RequestScope.run(() -> {
            DB.get();
            audit.get();
            other.set(DB.get().connection());
        }));
        assertThat(closeFailure).isInstanceOf(ScopedResourceException.class)
                .hasMessageStartingWith("cannot close a resource of RequestScope[#")
                .hasMessageContaining(", ended]: org.h2.jdbc.JdbcSQLIntegrityConstraintViolationException")
                .hasCauseInstanceOf(SQLException.class);
        assertThat(isClosed(other.get())).isTrue();                // closed after the failing one
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
    }
}
