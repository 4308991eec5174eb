package dev.sagaflow.jdbc.support;

import dev.sagaflow.jdbc.JdbcSagaStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One store per database for the compatibility suite, on the database's pool and in tables of its
 * own ({@value #PREFIX}), emptied once per test run so that runs do not pile up rows.
 */
public final class CompatibilityStores {
    public static final String PREFIX = "sft_compat_";

    private static final Map<TestDatabase, JdbcSagaStore> STORES = new ConcurrentHashMap<>();

    private CompatibilityStores() {
    }

    public static JdbcSagaStore of(TestDatabase database) {
        return STORES.computeIfAbsent(database, db -> {
            JdbcSagaStore store = JdbcSagaStore.builder(db.pooled()).tablePrefix(PREFIX).createSchemaIfMissing(true)
                    .build();
            db.deleteRows(PREFIX);
            return store;
        });
    }
}
