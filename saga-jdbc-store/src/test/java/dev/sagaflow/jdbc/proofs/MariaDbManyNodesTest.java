package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbManyNodesTest extends AbstractManyNodesTest {
    @Override
    TestDatabase database() {
        return TestDatabase.MARIADB;
    }
}
