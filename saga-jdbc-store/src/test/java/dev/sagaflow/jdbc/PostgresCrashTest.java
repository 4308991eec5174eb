package dev.sagaflow.jdbc;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresCrashTest extends AbstractJdbcCrashTest {
    @Override
    JdbcSagaStore store() {
        return JdbcSagaStore.builder(TestDatabase.POSTGRESQL.pooled()).tablePrefix(PREFIX)
                .createSchemaIfMissing(true).build();
    }

    @Override
    TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }
}
