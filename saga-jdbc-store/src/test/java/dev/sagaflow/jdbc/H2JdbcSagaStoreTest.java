package dev.sagaflow.jdbc;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.H2)
class H2JdbcSagaStoreTest extends AbstractJdbcSagaStoreTest {
    @Override
    TestDatabase database() {
        return TestDatabase.H2;
    }

    @Override
    JdbcDialect expectedDialect() {
        return JdbcDialect.H2;
    }

    @Override
    int statementsPerWrite() {
        return 2;
    }
}
