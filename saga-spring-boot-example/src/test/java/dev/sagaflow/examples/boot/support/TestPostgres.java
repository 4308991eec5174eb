package dev.sagaflow.examples.boot.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The PostgreSQL server the tests run on, found through the same variables as the other modules' database tests:
 * {@code SAGAFLOW_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test}), {@code SAGAFLOW_PG_USER}
 * ({@code postgres}) and {@code SAGAFLOW_PG_PASSWORD} (empty). The example's tables live in a schema of their own,
 * so they never meet the other suites' tables in the same database.
 */
public final class TestPostgres {
    /** The schema of the example's tables (orders, customers, and Sagaflow's saga_*). */
    public static final String SCHEMA = "boot_example";

    private static final int LOGIN_TIMEOUT_SECONDS = 5;

    private TestPostgres() {
    }

    public static String url() {
        return env("SAGAFLOW_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    public static String user() {
        return env("SAGAFLOW_PG_USER", "postgres");
    }

    public static String password() {
        return env("SAGAFLOW_PG_PASSWORD", "");
    }

    /** The URL of a connection whose tables are those of {@link #SCHEMA}. */
    public static String schemaUrl() {
        return url() + (url().contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
    }

    /** Why the server cannot be used, or {@code null} if a connection opened and answered. */
    public static String problem() {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
            return null;
        } catch (SQLException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Drops {@link #SCHEMA} with everything a previous run left in it, and creates it empty. */
    public static void recreateSchema() {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            statement.execute("CREATE SCHEMA " + SCHEMA);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot recreate schema " + SCHEMA + " at " + url() + ": " + e.getMessage(),
                    e);
        }
    }

    private static Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user());
        properties.setProperty("password", password());
        properties.setProperty("loginTimeout", String.valueOf(LOGIN_TIMEOUT_SECONDS));
        return DriverManager.getConnection(url(), properties);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
