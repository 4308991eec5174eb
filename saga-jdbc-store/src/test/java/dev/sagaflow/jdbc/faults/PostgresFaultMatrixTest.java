package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractFaultMatrixTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** The fault matrix on the JDBC store on PostgreSQL: every shape, every store call, one fault each in turn. */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresFaultMatrixTest extends AbstractFaultMatrixTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.POSTGRESQL, "sft_matrix_", storeClock);
    }
}
