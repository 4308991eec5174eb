package dev.sagaflow.jdbc.support;

import dev.sagaflow.jdbc.JdbcSagaStore;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One store per database for the compatibility suite, on the database's pool and in tables of its
 * own ({@value #PREFIX}), emptied once per test run so that runs do not pile up rows.
 */
public final class CompatibilityStores {
    public static final String PREFIX = "sft_compat_";
    public static final String GROUP_COMMIT_PREFIX = "sft_gc_compat_";

    private static final Set<String> PREPARED = ConcurrentHashMap.newKeySet();

    private CompatibilityStores() {
    }

    /** A store whose leases are measured on {@code clock}. */
    public static JdbcSagaStore of(TestDatabase database, Clock clock) {
        prepare(database, PREFIX);
        return JdbcSagaStore.builder(database.pooled()).tablePrefix(PREFIX).leaseClock(clock).build();
    }

    /** A store in group-commit mode, in tables of its own ({@value #GROUP_COMMIT_PREFIX}). */
    public static JdbcSagaStore groupCommitOf(TestDatabase database, Clock clock) {
        prepare(database, GROUP_COMMIT_PREFIX);
        return JdbcSagaStore.builder(database.pooled()).tablePrefix(GROUP_COMMIT_PREFIX).groupCommit(true)
                .leaseClock(clock).build();
    }

    /** Creates the tables with {@code prefix} and empties them, once per test run. */
    public static void prepare(TestDatabase database, String prefix) {
        if (PREPARED.add(database + "/" + prefix)) {
            JdbcSagaStore.builder(database.pooled()).tablePrefix(prefix).createSchemaIfMissing(true).build();
            database.deleteRows(prefix);
        }
    }
}
