package dev.sagaflow.jdbc.local;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresLocalStepCrashTest extends AbstractLocalStepCrashTest {
    @Override
    TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }
}
