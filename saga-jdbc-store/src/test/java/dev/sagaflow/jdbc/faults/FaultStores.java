package dev.sagaflow.jdbc.faults;

import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One JDBC store per database and table prefix for the fault suites, on the database's pool, with
 * a way to empty its tables between runs.
 */
final class FaultStores {
    private static final Map<String, JdbcSagaStore> STORES = new ConcurrentHashMap<>();

    private FaultStores() {
    }

    static JdbcSagaStore of(TestDatabase database, String prefix) {
        return STORES.computeIfAbsent(database + "/" + prefix, key -> JdbcSagaStore.builder(database.pooled())
                .tablePrefix(prefix).createSchemaIfMissing(true).build());
    }

    /** The store, with both its tables emptied. */
    static JdbcSagaStore empty(TestDatabase database, String prefix) {
        JdbcSagaStore store = of(database, prefix);
        try (Connection c = database.pooled().getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + prefix + "history");
            s.execute("DELETE FROM " + prefix + "instances");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty " + prefix + "* on " + database.displayName(), e);
        }
        return store;
    }
}
