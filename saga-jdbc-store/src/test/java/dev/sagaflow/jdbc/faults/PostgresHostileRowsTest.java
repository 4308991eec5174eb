package dev.sagaflow.jdbc.faults;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresHostileRowsTest extends AbstractHostileRowsTest {
    @Override
    TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }
}
