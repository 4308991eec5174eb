package dev.sagaflow.jdbc.faults;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbHostileRowsTest extends AbstractHostileRowsTest {
    @Override
    TestDatabase database() {
        return TestDatabase.MARIADB;
    }
}
