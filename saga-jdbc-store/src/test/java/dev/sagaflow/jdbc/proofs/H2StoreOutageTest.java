package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.H2)
class H2StoreOutageTest extends AbstractStoreOutageTest {
    @Override
    TestDatabase database() {
        return TestDatabase.H2;
    }
}
