package dev.sagaflow.jdbc.proofs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepAction;
import dev.sagaflow.jdbc.support.CountingDataSource;
import dev.sagaflow.jdbc.support.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a saga costs the database when the runtime drives it, counted at the JDBC driver
 * ({@link CountingDataSource}): a happy saga of N steps is N+1 commits (one insert that starts step
 * 1, one write per step, the last of which completes the saga), and a 3-step saga whose third step
 * is rejected is 6 (insert, two steps, the rejection that starts compensating step 2, two
 * compensations, the last of which ends the saga). Nothing else is read or written meanwhile: the
 * orchestrator's lease renewal and polling are an hour away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractRuntimeWriteCountTest {
    private ProofTables tables;
    private CountingDataSource counting;

    abstract TestDatabase database();

    /** Statements each write sends: 1 on PostgreSQL (one statement), 2 elsewhere (the row, then the history). */
    abstract int statementsPerWrite();

    @BeforeAll
    void createTables() {
        tables = ProofTables.create(database(), "count");
        counting = new CountingDataSource(database().dataSource());
    }

    @AfterAll
    void dropTables() {
        if (tables != null) {
            tables.close();
        }
    }

    @ParameterizedTest(name = "{0} steps")
    @ValueSource(ints = {1, 3, 5})
    void a_happy_saga_of_n_steps_costs_n_plus_one_commits(int steps) {
        StepAction<String> step = (data, context) -> data + "," + context.stepName();
        SagaDefinition.Builder<String> builder = Saga.define("proof-count-" + steps, String.class);
        SagaDefinition.StepBuilder<String> last = null;
        for (int i = 1; i <= steps; i++) {
            last = (last == null ? builder.step("s" + i) : last.step("s" + i)).action(step).compensation(step);
        }
        SagaDefinition<String> saga = last.build();

        try (SagaOrchestrator orchestrator = quietOrchestrator(saga)) {
            counting.reset();
            SagaOutcome<String> outcome = orchestrator.run(saga, "start");

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(counting.commits()).isEqualTo(steps + 1);
            assertThat(counting.statements()).isEqualTo((steps + 1) * statementsPerWrite());
            System.out.printf("%s: a happy saga of %d step(s) cost %d commits, %d statements%n",
                    database().displayName(), steps, counting.commits(), counting.statements());
        }
    }

    @Test
    void a_three_step_saga_whose_third_step_is_rejected_costs_six_commits() {
        StepAction<String> step = (data, context) -> data + "," + context.stepName();
        SagaDefinition<String> saga = Saga.define("proof-count-rejected", String.class)
                .step("s1").action(step).compensation(step)
                .step("s2").action(step).compensation(step)
                .step("s3").action((data, context) -> {
                    throw new BusinessRejection("credit limit exceeded");
                })
                .build();

        try (SagaOrchestrator orchestrator = quietOrchestrator(saga)) {
            counting.reset();
            SagaOutcome<String> outcome = orchestrator.run(saga, "start");

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(outcome.data()).isEqualTo("start,s1,s2,s2,s1");
            assertThat(counting.commits()).isEqualTo(6);
            assertThat(counting.statements()).isEqualTo(6 * statementsPerWrite());
        }
    }

    private SagaOrchestrator quietOrchestrator(SagaDefinition<?> saga) {
        return SagaOrchestrator.builder(tables.store(counting)).register(saga).recoverOnStart(false)
                .leaseDuration(Duration.ofHours(1)).pollInterval(Duration.ofHours(1)).build();
    }
}
