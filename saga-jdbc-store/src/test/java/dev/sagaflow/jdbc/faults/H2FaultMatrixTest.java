package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractFaultMatrixTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** The fault matrix on the JDBC store on H2: every shape, every store call, one fault each in turn. */
@RequiresDatabase(TestDatabase.H2)
class H2FaultMatrixTest extends AbstractFaultMatrixTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.H2, "sft_matrix_", storeClock);
    }
}
