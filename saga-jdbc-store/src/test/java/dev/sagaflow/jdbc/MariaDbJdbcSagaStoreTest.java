package dev.sagaflow.jdbc;

import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;

@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbJdbcSagaStoreTest extends AbstractJdbcSagaStoreTest {
    @Override
    TestDatabase database() {
        return TestDatabase.MARIADB;
    }

    @Override
    JdbcDialect expectedDialect() {
        return JdbcDialect.MYSQL;
    }

    @Override
    int statementsPerWrite() {
        return 2;
    }
}
