package dev.sagaflow.jdbc.local;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.H2)
class H2LocalStepTest extends AbstractLocalStepTest {
    @Override
    TestDatabase database() {
        return TestDatabase.H2;
    }
}
