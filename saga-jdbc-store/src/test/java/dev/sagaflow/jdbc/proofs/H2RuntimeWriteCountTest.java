package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.H2)
class H2RuntimeWriteCountTest extends AbstractRuntimeWriteCountTest {
    @Override
    TestDatabase database() {
        return TestDatabase.H2;
    }

    @Override
    int statementsPerWrite() {
        return 2;
    }
}
