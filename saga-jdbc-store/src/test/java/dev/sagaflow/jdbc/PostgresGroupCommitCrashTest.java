package dev.sagaflow.jdbc;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

/** The crash tests with group commit on: resumption sees exactly what the batches committed. */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresGroupCommitCrashTest extends AbstractJdbcCrashTest {
    @Override
    JdbcSagaStore store() {
        return JdbcSagaStore.builder(TestDatabase.POSTGRESQL.pooled()).tablePrefix(PREFIX)
                .createSchemaIfMissing(true).groupCommit(true).build();
    }

    @Override
    TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }
}
