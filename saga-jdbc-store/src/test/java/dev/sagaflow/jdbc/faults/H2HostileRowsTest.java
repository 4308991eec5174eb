package dev.sagaflow.jdbc.faults;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.H2)
class H2HostileRowsTest extends AbstractHostileRowsTest {
    @Override
    TestDatabase database() {
        return TestDatabase.H2;
    }
}
