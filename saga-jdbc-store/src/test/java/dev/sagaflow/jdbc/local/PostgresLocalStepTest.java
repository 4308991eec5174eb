package dev.sagaflow.jdbc.local;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresLocalStepTest extends AbstractLocalStepTest {
    @Override
    TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }
}
