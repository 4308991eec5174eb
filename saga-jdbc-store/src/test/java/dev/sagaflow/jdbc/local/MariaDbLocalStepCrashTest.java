package dev.sagaflow.jdbc.local;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbLocalStepCrashTest extends AbstractLocalStepCrashTest {
    @Override
    TestDatabase database() {
        return TestDatabase.MARIADB;
    }
}
