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
    public static final String GROUP_COMMIT_PREFIX = "sft_gc_compat_";

    private static final Map<TestDatabase, JdbcSagaStore> STORES = new ConcurrentHashMap<>();
    private static final Map<TestDatabase, JdbcSagaStore> GROUP_COMMIT_STORES = new ConcurrentHashMap<>();

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

    /** A store in group-commit mode, in tables of its own ({@value #GROUP_COMMIT_PREFIX}). */
    public static JdbcSagaStore groupCommitOf(TestDatabase database) {
        return GROUP_COMMIT_STORES.computeIfAbsent(database, db -> {
            JdbcSagaStore store = JdbcSagaStore.builder(db.pooled()).tablePrefix(GROUP_COMMIT_PREFIX)
                    .createSchemaIfMissing(true).groupCommit(true).build();
            db.deleteRows(GROUP_COMMIT_PREFIX);
            return store;
        });
    }
}
