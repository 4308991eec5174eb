package dev.sagaflow.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The databases the benchmark writes to, found through the same environment variables as the JDBC store's
 * tests ({@code SAGAFLOW_PG_URL}, {@code SAGAFLOW_PG_USER}, {@code SAGAFLOW_PG_PASSWORD},
 * {@code SAGAFLOW_MARIADB_URL}, ...), with defaults for a local machine. Every table the benchmark makes starts
 * with {@value #PREFIX}.
 */
enum Database {
    POSTGRESQL("PostgreSQL", env("SAGAFLOW_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
            env("SAGAFLOW_PG_USER", "postgres"), env("SAGAFLOW_PG_PASSWORD", "")),
    MARIADB("MariaDB", env("SAGAFLOW_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test"),
            env("SAGAFLOW_MARIADB_USER", "root"), env("SAGAFLOW_MARIADB_PASSWORD", ""));

    static final String PREFIX = "sfb_";

    final String displayName;
    final String url;
    final String user;
    final String password;

    Database(String displayName, String url, String user, String password) {
        this.displayName = displayName;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /**
     * A HikariCP pool of {@code size} connections, all opened up front; fewer (with a warning) when the server
     * has fewer free, less a few for the benchmark's own connections and other clients.
     */
    HikariDataSource pool(String name, int size) {
        int free = freeConnections() - 6;
        if (free < size) {
            System.out.printf("%s has %d free connections: a pool of %d instead of %d%n", displayName, free + 6,
                    Math.max(free, 4), size);
            size = Math.max(free, 4);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setPoolName("sfb-" + name);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        return DriverManager.getConnection(url, properties);
    }

    /** How many more connections the server takes now ({@link Integer#MAX_VALUE} if it cannot be read). */
    int freeConnections() {
        String sql = this == POSTGRESQL
                ? "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
                : "SELECT @@max_connections - (SELECT COUNT(*) FROM information_schema.processlist)";
        try (Connection c = connect(); Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1) - 1;
        } catch (SQLException e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * The time of one round trip to the server as a caller sees it: the median of 200 {@code SELECT 1} on one
     * connection, after 50 unmeasured, in milliseconds.
     */
    double roundTripMillis() throws SQLException {
        try (Connection c = connect(); java.sql.PreparedStatement ps = c.prepareStatement("SELECT 1")) {
            double[] times = new double[200];
            for (int i = -50; i < times.length; i++) {
                long t0 = System.nanoTime();
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
                if (i >= 0) {
                    times[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            return Harness.median(times);
        }
    }

    /** Why the database cannot be used, or {@code null} when it answers. */
    String problem() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return null;
        } catch (SQLException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Runs statements in autocommit on a connection of its own. */
    void execute(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** Empties a table if it exists. */
    void truncate(String table) {
        try {
            execute("TRUNCATE TABLE " + table);
        } catch (SQLException e) {
            // not there yet
        }
    }

    void drop(String table) {
        try {
            execute("DROP TABLE IF EXISTS " + table);
        } catch (SQLException e) {
            System.err.println("could not drop " + table + " on " + displayName + ": " + e.getMessage());
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
