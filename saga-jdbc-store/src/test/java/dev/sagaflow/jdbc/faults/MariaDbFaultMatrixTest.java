package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractFaultMatrixTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** The fault matrix on the JDBC store on MariaDB: every shape, every store call, one fault each in turn. */
@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbFaultMatrixTest extends AbstractFaultMatrixTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.MARIADB, "sft_matrix_", storeClock);
    }
}
