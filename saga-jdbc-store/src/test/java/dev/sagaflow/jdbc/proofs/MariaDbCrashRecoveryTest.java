package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbCrashRecoveryTest extends AbstractCrashRecoveryTest {
    @Override
    TestDatabase database() {
        return TestDatabase.MARIADB;
    }
}
