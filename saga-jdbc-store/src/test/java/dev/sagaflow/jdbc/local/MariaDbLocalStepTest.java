package dev.sagaflow.jdbc.local;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbLocalStepTest extends AbstractLocalStepTest {
    @Override
    TestDatabase database() {
        return TestDatabase.MARIADB;
    }
}
