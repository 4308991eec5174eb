package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The tables of one proof class (or test) on one database, under a prefix of their own, new on every
 * run ({@code pf_<name>_<random>_}), so that runs never collide, even two at once on one server, and
 * are repeatable. Besides the store's two tables there are the participants' tables:
 * <ul>
 *   <li>{@code calls}: every invocation of an action or compensation, in order ({@code seq}), with its
 *       idempotency key, attempt, node and process;</li>
 *   <li>{@code effects}: what the participants did, one row per idempotency key, with how many times
 *       the same command was delivered;</li>
 *   <li>{@code running}: the executions in progress, with a primary key on (saga, step), so that a
 *       second concurrent execution of a step fails on it.</li>
 * </ul>
 * {@link #close()} drops them all. Thread-safe.
 */
final class ProofTables implements AutoCloseable {
    private final TestDatabase database;
    private final String prefix;

    private ProofTables(TestDatabase database, String prefix) {
        this.database = database;
        this.prefix = prefix;
    }

    /** New tables for the proof {@code name} (a few lowercase letters). */
    static ProofTables create(TestDatabase database, String name) {
        String prefix = "pf_" + name + "_" + UUID.randomUUID().toString().substring(0, 6) + "_";
        ProofTables tables = new ProofTables(database, prefix);
        tables.createParticipantTables();
        return tables;
    }

    TestDatabase database() {
        return database;
    }

    String prefix() {
        return prefix;
    }

    /** The name of table {@code name} under this prefix. */
    String table(String name) {
        return prefix + name;
    }

    /** A store on {@code dataSource} over these tables, creating the store's tables if missing. */
    JdbcSagaStore store(DataSource dataSource) {
        return JdbcSagaStore.builder(dataSource).tablePrefix(prefix).createSchemaIfMissing(true).build();
    }

    private void createParticipantTables() {
        String identity = database == TestDatabase.MARIADB ? "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"
                : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
        database.execute(
                "CREATE TABLE " + table("calls") + " (seq " + identity + ", saga_id VARCHAR(100) NOT NULL,"
                        + " step VARCHAR(100) NOT NULL, kind VARCHAR(10) NOT NULL, idem_key VARCHAR(300) NOT NULL,"
                        + " attempt INTEGER NOT NULL, node VARCHAR(100) NOT NULL, process VARCHAR(20) NOT NULL)",
                "CREATE TABLE " + table("effects") + " (idem_key VARCHAR(300) NOT NULL PRIMARY KEY,"
                        + " saga_id VARCHAR(100) NOT NULL, step VARCHAR(100) NOT NULL, kind VARCHAR(10) NOT NULL,"
                        + " deliveries INTEGER NOT NULL)",
                "CREATE TABLE " + table("running") + " (saga_id VARCHAR(100) NOT NULL, step VARCHAR(100) NOT NULL,"
                        + " node VARCHAR(100) NOT NULL, PRIMARY KEY (saga_id, step))");
    }

    /** Runs a query whose first column of the first row is a number. */
    long number(String sql, Object... args) {
        List<Map<String, Object>> rows = rows(sql, args);
        Object value = rows.isEmpty() ? null : rows.get(0).values().iterator().next();
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** Runs a query; each row maps lower-case column labels to values. */
    List<Map<String, Object>> rows(String sql, Object... args) {
        try (Connection c = database.pooled().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.put(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed on " + database.displayName() + ": " + sql + ": "
                    + e.getMessage(), e);
        }
    }

    /** Runs an update; returns the row count. */
    int update(String sql, Object... args) {
        try (Connection c = database.pooled().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("update failed on " + database.displayName() + ": " + sql + ": "
                    + e.getMessage(), e);
        }
    }

    /** Every call recorded for {@code sagaId}, in order, as {@code "<kind> <step> #<attempt> <process>/<node>"}. */
    List<String> calls(String sagaId) {
        return rows("SELECT kind, step, attempt, process, node FROM " + table("calls") + " WHERE saga_id = ? ORDER BY seq",
                sagaId).stream()
                .map(r -> r.get("kind") + " " + r.get("step") + " #" + r.get("attempt") + " " + r.get("process") + "/"
                        + r.get("node"))
                .toList();
    }

    /** The idempotency keys of the calls recorded for {@code sagaId} and {@code step} of {@code kind}, in order. */
    List<String> callKeys(String sagaId, String step, String kind) {
        return rows("SELECT idem_key FROM " + table("calls") + " WHERE saga_id = ? AND step = ? AND kind = ? ORDER BY seq",
                sagaId, step, kind).stream().map(r -> (String) r.get("idem_key")).toList();
    }

    /** The effects applied for {@code sagaId}, as {@code "<kind> <step> x<deliveries>"}, in key order. */
    List<String> effects(String sagaId) {
        return rows("SELECT kind, step, deliveries FROM " + table("effects") + " WHERE saga_id = ? ORDER BY idem_key",
                sagaId).stream()
                .map(r -> r.get("kind") + " " + r.get("step") + " x" + ((Number) r.get("deliveries")).intValue())
                .toList();
    }

    /** Drops every table of this prefix. */
    @Override
    public void close() {
        for (String name : new String[] {"calls", "effects", "running", "history", "instances"}) {
            database.execute("DROP TABLE IF EXISTS " + table(name));
        }
    }
}
