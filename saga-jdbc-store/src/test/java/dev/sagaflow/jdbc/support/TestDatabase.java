package dev.sagaflow.jdbc.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The databases the tests run on. PostgreSQL and MariaDB are servers found through environment
 * variables with defaults for a local machine: {@code SAGAFLOW_PG_URL}, {@code SAGAFLOW_PG_USER},
 * {@code SAGAFLOW_PG_PASSWORD}, {@code SAGAFLOW_MARIADB_URL}, {@code SAGAFLOW_MARIADB_USER},
 * {@code SAGAFLOW_MARIADB_PASSWORD}. H2 is in memory and always there.
 *
 * <p>Sessions run in a time zone far from UTC on purpose: the JVM's (set by Surefire) for H2 and
 * PostgreSQL, and {@code time_zone} for MariaDB.
 */
public enum TestDatabase {
    H2("H2", "jdbc:h2:mem:sagaflow;DB_CLOSE_DELAY=-1", "sa", "") {
        @Override
        public DataSource dataSource() {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(url());
            ds.setUser(user());
            ds.setPassword(password());
            return ds;
        }
    },
    POSTGRESQL("PostgreSQL", env("SAGAFLOW_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
            env("SAGAFLOW_PG_USER", "postgres"), env("SAGAFLOW_PG_PASSWORD", "")) {
        @Override
        public DataSource dataSource() {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(url());
            ds.setUser(user());
            ds.setPassword(password());
            ds.setLoginTimeout(LOGIN_TIMEOUT_SECONDS);
            return ds;
        }
    },
    MARIADB("MariaDB", env("SAGAFLOW_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test"),
            env("SAGAFLOW_MARIADB_USER", "root"), env("SAGAFLOW_MARIADB_PASSWORD", "")) {
        @Override
        public DataSource dataSource() {
            try {
                String url = url() + (url().contains("?") ? "&" : "?") + "sessionVariables=time_zone='-03:30'";
                MariaDbDataSource ds = new MariaDbDataSource(url);
                ds.setUser(user());
                ds.setPassword(password());
                ds.setLoginTimeout(LOGIN_TIMEOUT_SECONDS);
                return ds;
            } catch (SQLException e) {
                throw new IllegalStateException("bad MariaDB URL " + url(), e);
            }
        }
    };

    private static final int LOGIN_TIMEOUT_SECONDS = 5;
    private static final Map<TestDatabase, String> PROBLEMS = new ConcurrentHashMap<>();
    private static final Map<TestDatabase, HikariDataSource> POOLS = new ConcurrentHashMap<>();

    private final String displayName;
    private final String url;
    private final String user;
    private final String password;

    TestDatabase(String displayName, String url, String user, String password) {
        this.displayName = displayName;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** A new data source without a pool: every {@code getConnection()} opens a connection. */
    public abstract DataSource dataSource();

    /**
     * A pool of 12 connections, one per database for the whole test run (its daemon threads and
     * connections end with the JVM), so the compatibility suite's 8 racing threads each get one.
     */
    public DataSource pooled() {
        return POOLS.computeIfAbsent(this, db -> {
            HikariConfig config = new HikariConfig();
            config.setDataSource(db.dataSource());
            config.setMaximumPoolSize(12);
            config.setPoolName("sagaflow-test-" + db.name().toLowerCase());
            return new HikariDataSource(config);
        });
    }

    public String displayName() {
        return displayName;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /**
     * Why the database cannot be used, or {@code null} if a connection could be opened and used.
     * Probed once per test run.
     */
    public String problem() {
        return PROBLEMS.computeIfAbsent(this, db -> {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT 1");
                return "";
            } catch (SQLException | RuntimeException e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }).transform(problem -> problem.isEmpty() ? null : problem);
    }

    /** Runs SQL on a fresh connection in autocommit, for test set-up and clean-up. */
    public void execute(String... statements) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("set-up SQL failed on " + displayName + ": " + e.getMessage(), e);
        }
    }

    /** Deletes every row of the store's tables with {@code prefix}, if they exist. */
    public void deleteRows(String prefix) {
        try (Connection c = pooled().getConnection(); Statement s = c.createStatement()) {
            for (String name : new String[] {"outbox", "replies", "history", "instances", "nodes"}) {
                try {
                    s.execute("DELETE FROM " + prefix + name);
                } catch (SQLException e) {
                    // the table does not exist yet: nothing to delete
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty " + prefix + "* on " + displayName + ": " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
