package dev.sagaflow.jdbc.internal;

import dev.sagaflow.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the store's tables and indexes where they are missing, from the same schema file that
 * ships in the jar for hosts' migration tools. Never drops anything; adds the one column a table of the first release lacks.
 */
public final class Schema {

    private Schema() {
    }

    /** The statements of {@code dialect}'s schema file for {@code tables}: comments removed, split on {@code ;}. */
    public static List<String> statements(JdbcDialect dialect, Tables tables) {
        StringBuilder text = new StringBuilder();
        for (String line : dialect.schemaSql(tables.prefix()).split("\n")) {
            if (!line.strip().startsWith("--")) {
                text.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String statement : text.toString().split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }

    /**
     * Runs every statement of the schema file on {@code connection}, each committed on its own. When
     * another node creates the same tables at the same moment, PostgreSQL may report a duplicate
     * (its IF NOT EXISTS is not atomic); the file is then run once more, which finds everything there.
     */
    public static void createIfMissing(Connection connection, Dialect dialect, Tables tables) throws SQLException {
        List<String> statements = statements(dialect.kind(), tables);
        boolean autoCommit = connection.getAutoCommit();
        if (!autoCommit) {
            connection.setAutoCommit(true);
        }
        try {
            try {
                run(connection, statements);
            } catch (SQLException e) {
                if (!dialect.isUniqueViolation(e)) {
                    throw e;
                }
                run(connection, statements);
            }
            checkHistoryLayout(connection, tables);
            addMetadataColumn(connection, dialect, tables);
        } finally {
            if (!autoCommit) {
                connection.setAutoCommit(false);
            }
        }
    }

    /**
     * IF NOT EXISTS keeps a table of the same name that an earlier build created with another layout;
     * say so now rather than on the first write.
     */
    private static void checkHistoryLayout(Connection connection, Tables tables) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeQuery("SELECT " + InstanceRows.HISTORY_COLUMNS + " FROM " + tables.history() + " WHERE 1 = 0")
                    .close();
        } catch (SQLException e) {
            throw new SQLException("table " + tables.history() + " exists but lacks the columns ("
                    + InstanceRows.HISTORY_COLUMNS + ") of this version's schema: it was created by an earlier build"
                    + " of Sagaflow, which stored one history row per entry. Drop or rename it (and its instances"
                    + " table, whose steps format changed too) and start again: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /**
     * The instances table of the first release had no {@code metadata} column, and IF NOT EXISTS keeps such a
     * table as it is: the column is added (nullable, so existing rows need no value), the one change this
     * method makes to an existing table.
     */
    private static void addMetadataColumn(Connection connection, Dialect dialect, Tables tables) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeQuery("SELECT metadata FROM " + tables.instances() + " WHERE 1 = 0").close();
            return;
        } catch (SQLException missing) {
            // the column is not there: add it below
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + tables.instances() + " ADD COLUMN metadata " + dialect.textType());
        }
    }

    private static void run(Connection connection, List<String> statements) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
