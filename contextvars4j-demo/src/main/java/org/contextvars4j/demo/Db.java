package org.contextvars4j.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.DriverManager;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded database: H2 in memory, behind one HikariCP pool per service instance, seeded with users who own orders and notes.
 *
 * <p>A connection is "logged in" as a user by the session variable {@code @user_id}, and every
 * query reads only rows {@code WHERE owner_id = @user_id}: the row-level rule of many real
 * services. A connection used by the wrong request therefore returns the wrong user's rows, which
 * is the failure the demo looks for.
 */
final class Db implements AutoCloseable {

    static final int ORDERS_PER_USER = 5;
    static final int NOTES_PER_USER = 3;
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final String[] NAMES = {"ada", "alan", "barbara", "brian", "claude", "dennis", "edsger",
        "frances", "grace", "guido", "james", "john", "ken", "leslie", "linus", "margaret", "niklaus", "radia",
        "rob", "tony"};

    private final String url;
    private final Connection keeper;
    private final List<User> users;
    private final List<Pool> pools = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Db(String url, Connection keeper, List<User> users) {
        this.url = url;
        this.keeper = keeper;
        this.users = users;
    }

    /** Creates and seeds a fresh in-memory database with {@code userCount} users. */
    static Db start(int userCount) throws SQLException {
        String url = "jdbc:h2:mem:demo" + INSTANCES.incrementAndGet();
        Connection keeper = DriverManager.getConnection(url, "sa", "");
        List<User> users = new ArrayList<>();
        SecureRandom random = new SecureRandom();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(40), token VARCHAR(64), tier VARCHAR(10))");
            s.execute("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, owner_id BIGINT, item VARCHAR(40), cents INT)");
            s.execute("CREATE TABLE notes (id BIGINT AUTO_INCREMENT PRIMARY KEY, owner_id BIGINT, body VARCHAR(16384))");
            s.execute("CREATE INDEX orders_owner ON orders(owner_id)");
            s.execute("CREATE INDEX notes_owner ON notes(owner_id)");
            try (PreparedStatement u = c.prepareStatement("INSERT INTO users VALUES (?, ?, ?, ?)");
                 PreparedStatement o = c.prepareStatement("INSERT INTO orders (owner_id, item, cents) VALUES (?, ?, ?)");
                 PreparedStatement n = c.prepareStatement("INSERT INTO notes (owner_id, body) VALUES (?, ?)")) {
                for (int i = 1; i <= userCount; i++) {
                    byte[] secret = new byte[12];
                    random.nextBytes(secret);
                    User user = new User(i, NAMES[(i - 1) % NAMES.length] + "-" + i, "tok-" + HexFormat.of().formatHex(secret));
                    users.add(user);
                    u.setLong(1, i);
                    u.setString(2, user.name());
                    u.setString(3, user.token());
                    u.setString(4, i % 3 == 0 ? "gold" : "basic");
                    u.addBatch();
                    for (int k = 0; k < ORDERS_PER_USER; k++) {
                        o.setLong(1, i);
                        o.setString(2, "item-" + i + "-" + k);
                        o.setInt(3, 100 * i + k);
                        o.addBatch();
                    }
                    for (int k = 0; k < NOTES_PER_USER; k++) {
                        n.setLong(1, i);
                        n.setString(2, "note " + k + " of " + user.name());
                        n.addBatch();
                    }
                }
                u.executeBatch();
                o.executeBatch();
                n.executeBatch();
            }
        } catch (SQLException e) {
            keeper.close();
            throw e;
        }
        return new Db(url, keeper, List.copyOf(users));
    }

    /**
     * A HikariCP pool on this database, for one service instance. {@code max} should exceed the
     * requests the instance serves at once: each holds its connection until it ends.
     */
    Pool pool(String name, int max) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("sa");
        config.setPoolName(name + "-db");
        config.setMaximumPoolSize(max);
        config.setMinimumIdle(max);             // created up front: no request waits for the pool to grow
        config.setConnectionTimeout(3_000);
        HikariDataSource ds = new HikariDataSource(config);
        Pool pool = new Pool(name, ds);
        pools.add(pool);
        awaitFull(ds, max);
        return pool;
    }

    /**
     * Waits until the pool holds all {@code max} connections. HikariCP fills up to the minimum in
     * the background; a load that starts before it is done makes its first requests wait for
     * connections still being opened, and on a busy machine some wait past the timeout (503).
     */
    private static void awaitFull(HikariDataSource ds, int max) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ds.getHikariPoolMXBean().getTotalConnections() < max) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pool " + ds.getPoolName() + " opened only "
                        + ds.getHikariPoolMXBean().getTotalConnections() + " of " + max + " connections in 60 s");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while pool " + ds.getPoolName() + " was filling", e);
            }
        }
    }

    List<Pool> pools() {
        return pools;
    }

    /** One instance's connection pool. */
    static final class Pool {
        private final String name;
        private final HikariDataSource ds;

        Pool(String name, HikariDataSource ds) {
            this.name = name;
            this.ds = ds;
        }

        String name() {
            return name;
        }

        /** Borrows a connection and logs it in as {@code user}; with no user it keeps whatever login it had. */
        Connection open(User user) throws SQLException {
            Connection c = ds.getConnection();
            if (user != null) {
                try {
                    login(c, user);
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
            }
            return c;
        }

        /** The pool's own statistics (active, idle, total connections). */
        HikariPoolMXBean stats() {
            return ds.getHikariPoolMXBean();
        }

        void close() {
            ds.close();
        }
    }

    List<User> users() {
        return users;
    }

    User byToken(String token) {
        for (User u : users) {
            if (u.token().equals(token)) {
                return u;
            }
        }
        return null;
    }

    static void login(Connection c, User user) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SET @user_id = ?")) {
            s.setLong(1, user.id());
            s.execute();
        }
    }

    /** The owner ids of the logged-in user's rows of {@code table} ("orders" or "notes"). */
    static List<Long> owners(Connection c, String table) throws SQLException {
        String sql = "orders".equals(table)
                ? "SELECT owner_id FROM orders WHERE owner_id = @user_id ORDER BY id"
                : "SELECT owner_id FROM notes WHERE owner_id = @user_id ORDER BY id";
        List<Long> owners = new ArrayList<>();
        synchronized (c) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    owners.add(rs.getLong(1));
                }
            }
        }
        return owners;
    }

    /** The logged-in user's profile: "name/tier", or null when the connection is logged in as nobody. */
    static String profile(Connection c) throws SQLException {
        synchronized (c) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name, tier FROM users WHERE id = @user_id")) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static void addNote(Connection c, String body) throws SQLException {
        synchronized (c) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO notes (owner_id, body) VALUES (@user_id, ?)")) {
                s.setString(1, body);
                s.executeUpdate();
            }
        }
    }

    @Override
    public void close() throws SQLException {
        for (Pool p : pools) {
            p.close();
        }
        try (Statement s = keeper.createStatement()) {
            s.execute("SHUTDOWN");
        } finally {
            keeper.close();
        }
    }
}
