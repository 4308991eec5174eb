package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbRuntimeWriteCountTest extends AbstractRuntimeWriteCountTest {
    @Override
    TestDatabase database() {
        return TestDatabase.MARIADB;
    }

    @Override
    int statementsPerWrite() {
        return 2;
    }
}
