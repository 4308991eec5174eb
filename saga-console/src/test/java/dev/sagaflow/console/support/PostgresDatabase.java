package dev.sagaflow.console.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL database of the console's browser tests and latency tool, found as the JDBC store's
 * tests find it: {@code SAGAFLOW_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test}),
 * {@code SAGAFLOW_PG_USER} (default {@code postgres}) and {@code SAGAFLOW_PG_PASSWORD}.
 */
public final class PostgresDatabase {
    private static final String URL = env("SAGAFLOW_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("SAGAFLOW_PG_USER", "postgres");
    private static final String PASSWORD = env("SAGAFLOW_PG_PASSWORD", "");
    private static String problem;
    private static HikariDataSource pool;

    private PostgresDatabase() {
    }

    public static String url() {
        return URL;
    }

    public static String user() {
        return USER;
    }

    /** A data source without a pool. */
    public static DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(URL);
        ds.setUser(USER);
        ds.setPassword(PASSWORD);
        ds.setLoginTimeout(5);
        return ds;
    }

    /** A pool of a few connections for the whole test run (its threads and connections end with the JVM). */
    public static synchronized DataSource pooled() {
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            config.setDataSource(dataSource());
            config.setMaximumPoolSize(4);
            config.setPoolName("sagaflow-console-test");
            pool = new HikariDataSource(config);
        }
        return pool;
    }

    /** Why the database cannot be used, or {@code null} if it answers. Probed once per run. */
    public static synchronized String problem() {
        if (problem == null) {
            try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT 1");
                problem = "";
            } catch (SQLException | RuntimeException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        return problem.isEmpty() ? null : problem;
    }

    /** Runs statements in autocommit on a fresh connection. */
    public static void execute(String... statements) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + URL + ": " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
