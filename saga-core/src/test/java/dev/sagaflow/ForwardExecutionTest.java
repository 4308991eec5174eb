package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.testing.SagaTestKit;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardExecutionTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();

    @Test
    void a_happy_saga_runs_every_step_in_order_and_completes() {
        SagaDefinition<Trail> saga = TestSagas.linear("happy", 3, ledger);
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(outcome.data().marks()).containsExactly("do s1", "do s2", "do s3");
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "do s3");
        SagaInstance stored = kit.store().find(outcome.sagaId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(stored.version()).as("N+1 writes for N steps").isEqualTo(4);
        assertThat(stored.steps()).extracting(s -> s.status()).containsOnly(StepStatus.SUCCEEDED);
        assertThat(stored.owner()).isNull();
        assertThat(stored.data().json()).contains("do s3");
    }

    @Test
    void start_returns_at_once_and_the_outcome_follows() throws Exception {
        SagaDefinition<Trail> saga = TestSagas.linear("async-start", 2, ledger);
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        assertThat(execution.alreadyStarted()).isFalse();
        assertThat(execution.outcome().get().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(execution.outcome().get().sagaId()).isEqualTo(execution.sagaId());
        assertThat(List.copyOf(kit.listener().types(execution.sagaId()))).containsExactly(
                SagaEventType.SAGA_STARTED, SagaEventType.STEP_SUCCEEDED, SagaEventType.STEP_SUCCEEDED,
                SagaEventType.SAGA_COMPLETED);
    }
}
