package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresManyNodesTest extends AbstractManyNodesTest {
    @Override
    TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }
}
