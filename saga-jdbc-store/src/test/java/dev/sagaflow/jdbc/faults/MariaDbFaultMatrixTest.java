package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractFaultMatrixTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The fault matrix on the JDBC store on MariaDB: every shape, every store call, one fault each in turn. Only with
 * {@code -Pexhaustive}: the normal build runs the matrix on memory, H2 and PostgreSQL, and MariaDB shares H2's write
 * path (a transaction of two statements), so it adds half a minute for little.
 */
@RequiresDatabase(TestDatabase.MARIADB)
@EnabledIfSystemProperty(named = "sagaflow.exhaustive", matches = "true",
        disabledReason = "the MariaDB fault matrix runs with -Pexhaustive")
class MariaDbFaultMatrixTest extends AbstractFaultMatrixTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.MARIADB, "sft_matrix_", storeClock);
    }
}
