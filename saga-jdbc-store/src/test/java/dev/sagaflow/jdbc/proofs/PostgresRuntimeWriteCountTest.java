package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresRuntimeWriteCountTest extends AbstractRuntimeWriteCountTest {
    @Override
    TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }

    @Override
    int statementsPerWrite() {
        return 1;
    }
}
