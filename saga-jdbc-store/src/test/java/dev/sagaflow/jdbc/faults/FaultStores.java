package dev.sagaflow.jdbc.faults;

import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.CompatibilityStores;
import dev.sagaflow.jdbc.support.TestDatabase;
import java.time.Clock;

/**
 * One JDBC store per database and table prefix for the fault suites, on the database's pool, with
 * a way to empty its tables between runs.
 */
final class FaultStores {
    private FaultStores() {
    }

    /** The store, with every one of its tables emptied, measuring leases on {@code clock}. */
    static JdbcSagaStore empty(TestDatabase database, String prefix, Clock clock) {
        return builder(database, prefix).leaseClock(clock).build();
    }

    /** The store, with every one of its tables emptied, measuring leases on the database's clock. */
    static JdbcSagaStore empty(TestDatabase database, String prefix) {
        return builder(database, prefix).build();
    }

    private static JdbcSagaStore.Builder builder(TestDatabase database, String prefix) {
        CompatibilityStores.prepare(database, prefix);
        database.deleteRows(prefix);
        return JdbcSagaStore.builder(database.pooled()).tablePrefix(prefix);
    }
}
