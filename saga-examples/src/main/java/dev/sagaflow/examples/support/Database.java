package dev.sagaflow.examples.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One service's database: an embedded H2 database behind a HikariCP connection pool, with a few
 * helpers for plain JDBC. Each service in the examples has its own, so services share no tables.
 * Thread-safe.
 */
public final class Database implements AutoCloseable {
    private static final int POOL_SIZE = 8;

    private final String name;
    private final String url;
    private final boolean ownsData;
    private final HikariDataSource pool;

    private Database(String name, String url, boolean ownsData) {
        this.name = name;
        this.url = url;
        this.ownsData = ownsData;
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        this.pool = new HikariDataSource(config);
    }

    /**
     * A new, empty in-memory database, created now and dropped on {@link #close()}. The name is made
     * unique, so that tests and demo runs in one JVM never see each other's data.
     */
    public static Database inMemory(String name) {
        String unique = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new Database(name, "jdbc:h2:mem:" + unique + ";DB_CLOSE_DELAY=-1", true);
    }

    /** A pool on a database that someone else keeps (another process's H2 server); {@link #close()} only closes the pool. */
    public static Database connect(String name, String jdbcUrl) {
        return new Database(name, jdbcUrl, false);
    }

    /** The service name this database belongs to. */
    public String name() {
        return name;
    }

    /** The JDBC URL of an in-memory database without its settings, e.g. {@code mem:orders-1a2b3c4d}. */
    public String memoryPath() {
        String path = url.substring("jdbc:h2:".length());
        int settings = path.indexOf(';');
        return settings < 0 ? path : path.substring(0, settings);
    }

    /** The pool, for the saga store and for anything that wants plain JDBC. */
    public DataSource dataSource() {
        return pool;
    }

    /** Runs statements that take no parameters (schema set-up). */
    public void execute(String... statements) {
        inTransaction(connection -> {
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements) {
                    statement.execute(sql);
                }
            }
            return null;
        });
    }

    /** Runs one update with parameters in its own transaction and returns the number of rows changed. */
    public int update(String sql, Object... parameters) {
        return inTransaction(connection -> update(connection, sql, parameters));
    }

    /** Runs a query with parameters and maps each row. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters) {
        return inTransaction(connection -> query(connection, sql, mapper, parameters));
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public <T> T inTransaction(Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new DataAccessException(name + ": " + e.getMessage(), e);
        }
    }

    /** Runs one update on {@code connection}, inside the caller's transaction. */
    public static int update(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, parameters)) {
            return statement.executeUpdate();
        }
    }

    /** Runs a query on {@code connection}, inside the caller's transaction. */
    public static <T> List<T> query(Connection connection, String sql, RowMapper<T> mapper, Object... parameters)
            throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, parameters);
                ResultSet rows = statement.executeQuery()) {
            List<T> result = new ArrayList<>();
            while (rows.next()) {
                result.add(mapper.map(rows));
            }
            return result;
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }

    /** Closes the pool; an in-memory database made by {@link #inMemory(String)} is dropped first. Idempotent. */
    @Override
    public void close() {
        if (pool.isClosed()) {
            return;
        }
        if (ownsData) {
            try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("SHUTDOWN");
            } catch (SQLException e) {
                // Already gone; nothing to free.
            }
        }
        pool.close();
    }

    @Override
    public String toString() {
        return "Database[" + name + ", " + url + "]";
    }

    /** Work done with one connection in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** A database call failed; the message names the service. */
    public static final class DataAccessException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DataAccessException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
