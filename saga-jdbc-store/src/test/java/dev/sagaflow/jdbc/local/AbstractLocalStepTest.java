package dev.sagaflow.jdbc.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.local.LocalOrderSaga.Order;
import dev.sagaflow.jdbc.support.TestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Local steps: the step's work and its checkpoint commit or roll back together. */
abstract class AbstractLocalStepTest {
    JdbcSagaStore store;
    SagaOrchestrator orchestrator;
    final String orderId = UUID.randomUUID().toString();

    abstract TestDatabase database();

    String prefix() {
        return "local_" + database().name().toLowerCase() + "_";
    }

    @BeforeEach
    void createTables() {
        store = JdbcSagaStore.builder(database().pooled()).tablePrefix(prefix()).createSchemaIfMissing(true).build();
        database().execute(LocalOrderSaga.createTableSql(prefix()));
    }

    @AfterEach
    void close() {
        if (orchestrator != null) {
            orchestrator.close();
        }
    }

    private SagaOutcome<Order> run(long amount, java.util.function.Consumer<Order> afterWork) {
        var saga = LocalOrderSaga.definition(prefix(), afterWork);
        orchestrator = SagaOrchestrator.builder(store).register(saga).recoverOnStart(false).build();
        return orchestrator.run(saga, new Order(orderId, amount));
    }

    @Test
    void the_work_of_a_local_step_commits_with_its_checkpoint() throws Exception {
        SagaOutcome<Order> outcome = run(10, order -> { });

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(LocalOrderSaga.rows(database().pooled(), prefix(), orderId)).isEqualTo(1);
    }

    @Test
    void a_local_action_that_fails_after_its_work_rolls_the_work_back_and_is_not_compensated() throws Exception {
        SagaOutcome<Order> outcome = run(10, order -> {
            throw new IllegalStateException("failed after the insert");
        });

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("failed after the insert");
        assertThat(LocalOrderSaga.rows(database().pooled(), prefix(), orderId)).isZero();
        var step = store.find(outcome.sagaId()).orElseThrow().step("record-order");
        assertThat(step.status()).isEqualTo(StepStatus.FAILED);
        assertThat(step.mayHaveTakenEffect()).isFalse();
    }

    @Test
    void a_local_step_is_compensated_in_the_transaction_that_records_the_compensation() throws Exception {
        SagaOutcome<Order> outcome = run(5_000, order -> { });

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(LocalOrderSaga.rows(database().pooled(), prefix(), orderId)).isZero();
        assertThat(store.find(outcome.sagaId()).orElseThrow().step("record-order").status())
                .isEqualTo(StepStatus.COMPENSATED);
    }
}
