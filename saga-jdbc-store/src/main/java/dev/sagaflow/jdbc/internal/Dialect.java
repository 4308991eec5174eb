package dev.sagaflow.jdbc.internal;

import dev.sagaflow.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the store needs to know about one database: which {@link JdbcDialect} it is, what the server
 * can do (capability flags) and the few bits of SQL that differ. One small object per database,
 * picked by {@link #detect(DatabaseMetaData)} or {@link #of(JdbcDialect)}. Immutable and thread-safe.
 */
public abstract class Dialect {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private final String database;
    private final boolean detected;

    Dialect(String database, boolean detected) {
        this.database = database;
        this.detected = detected;
    }

    /** The dialect a host can name. */
    public abstract JdbcDialect kind();

    /**
     * Whether {@code SELECT ... FOR UPDATE SKIP LOCKED} works, so that concurrent claimers pass over
     * each other's rows instead of waiting for them.
     */
    public abstract boolean supportsSkipLocked();

    /**
     * Whether an insert or update and its history row can be written by a single statement in
     * autocommit (a writable common table expression): one round-trip and one commit per write.
     * Otherwise each write is a short transaction of two statements.
     */
    public boolean supportsSingleStatementWrites() {
        return false;
    }

    /**
     * Whether the writes of many callers can be gathered into one statement and one commit (group commit): a
     * single statement that inserts and updates many rows, skips conflicting inserts and reports, row by row,
     * what it wrote. Otherwise a store asked for group commit writes one transaction per write.
     */
    public boolean supportsGroupCommit() {
        return false;
    }

    /**
     * The SQL expression that stores {@code operand} (a placeholder or a column) in a JSON column, for example
     * {@code CAST(? AS json)}; the operand itself where the column takes text as it is.
     */
    public String jsonValue(String operand) {
        return operand;
    }

    /**
     * The SQL expression for the database's clock as microseconds since the epoch (UTC), whatever the session's
     * time zone: what leases are written and compared with, so that every node measures them on one clock.
     */
    public abstract String nowMicros();

    /**
     * The most bytes of text one write may carry, or {@link Long#MAX_VALUE} when the database sets no limit of
     * its own below what a JVM string holds. Asked once, when the store is built.
     */
    public long maxStatementBytes(Connection connection) throws SQLException {
        return Long.MAX_VALUE;
    }

    /** The type of a text column without a length limit: {@code TEXT}, {@code LONGTEXT}, {@code CLOB}. */
    public String textType() {
        return "TEXT";
    }

    /** The row-locking clause that ends a claim's {@code SELECT}. */
    public String lockClause() {
        return supportsSkipLocked() ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE";
    }

    /** Whether {@code e} reports a duplicate key (a primary key or unique constraint). */
    public boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** The database product and version, for example {@code PostgreSQL 15.20}, or the dialect when named by the host. */
    public String database() {
        return database;
    }

    /** Whether this dialect was detected from the database rather than named by the host. */
    public boolean detected() {
        return detected;
    }

    /** The dialect for {@code kind}, assuming a current server (for example SKIP LOCKED on MySQL and MariaDB). */
    public static Dialect of(JdbcDialect kind) {
        return switch (kind) {
            case POSTGRESQL -> new PostgresDialect("PostgreSQL (named)", false);
            case MYSQL -> new MySqlDialect("MySQL or MariaDB (named)", true, false);
            case H2 -> new H2Dialect("H2 (named)", false);
        };
    }

    /**
     * The dialect for the database behind {@code metaData}, with the capabilities of its version.
     *
     * @throws IllegalStateException if the database is not one Sagaflow supports
     */
    public static Dialect detect(DatabaseMetaData metaData) throws SQLException {
        String product = metaData.getDatabaseProductName();
        String version = metaData.getDatabaseProductVersion();
        String lower = (product + " " + version).toLowerCase(Locale.ROOT);
        if (lower.contains("mariadb")) {
            // MySQL Connector/J reports MariaDB's version as "5.5.5-10.11.19-MariaDB".
            int[] v = version(version.replaceFirst("^5\\.5\\.5-", ""));
            boolean skipLocked = v[0] > 10 || (v[0] == 10 && v[1] >= 6);
            return new MySqlDialect("MariaDB " + v[0] + "." + v[1] + "." + v[2], skipLocked, true);
        }
        if (lower.startsWith("mysql")) {
            int[] v = version(version);
            boolean skipLocked = v[0] > 8 || (v[0] == 8 && (v[1] > 0 || v[2] >= 1));
            return new MySqlDialect("MySQL " + v[0] + "." + v[1] + "." + v[2], skipLocked, true);
        }
        if (lower.startsWith("postgresql")) {
            int[] v = version(version);
            if (v[0] < 10 && !(v[0] == 9 && v[1] >= 5)) {
                throw new IllegalStateException("PostgreSQL " + version + " is too old for Sagaflow: 9.5 or newer"
                        + " is needed (ON CONFLICT, SKIP LOCKED), 12 or newer is supported");
            }
            return new PostgresDialect("PostgreSQL " + version, true);
        }
        if (lower.startsWith("h2")) {
            int[] v = version(version);
            if (v[0] < 2) {
                throw new IllegalStateException("H2 " + version + " is too old for Sagaflow: H2 2.x is needed");
            }
            return new H2Dialect("H2 " + version, true);
        }
        throw new IllegalStateException("no Sagaflow dialect for database '" + product + "' version '" + version
                + "'; supported are PostgreSQL, MySQL 8, MariaDB 10.6+ and H2 2.x. If it speaks one of their"
                + " dialects, name it with JdbcSagaStore.Builder.dialect(JdbcDialect)");
    }

    /** Major, minor and patch of the first {@code a.b[.c]} in {@code text}; zeros when there is none. */
    static int[] version(String text) {
        Matcher m = VERSION.matcher(text == null ? "" : text);
        if (!m.find()) {
            return new int[] {0, 0, 0};
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
            m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
    }

    @Override
    public String toString() {
        return kind() + " dialect for " + database + (detected ? " (detected)" : "") + ": skip locked "
                + yesNo(supportsSkipLocked()) + ", single-statement writes " + yesNo(supportsSingleStatementWrites()) + ", group commit "
                + yesNo(supportsGroupCommit());
    }

    private static String yesNo(boolean flag) {
        return flag ? "yes" : "no";
    }
}
