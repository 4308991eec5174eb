package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresStoreOutageTest extends AbstractStoreOutageTest {
    @Override
    TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }
}
