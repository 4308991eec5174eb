package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.testing.SagaTestKit;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();

    @Test
    void listeners_see_every_transition_in_order_with_step_attempt_and_detail() {
        SagaDefinition<Trail> saga = Saga.define("events", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").action(TestSagas.action(ledger)).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 2))
                .build();
        kit.faults().failActionAlways("s2", new IOException("down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        kit.timer().advance(Duration.ofSeconds(1));
        execution.outcome().join();

        List<SagaEvent> events = kit.listener().events(execution.sagaId());
        assertThat(events).extracting(SagaEvent::type).containsExactly(SagaEventType.SAGA_STARTED,
                SagaEventType.STEP_SUCCEEDED, SagaEventType.STEP_RETRY_SCHEDULED, SagaEventType.STEP_FAILED,
                SagaEventType.COMPENSATION_SUCCEEDED, SagaEventType.SAGA_COMPENSATED);
        assertThat(events).extracting(SagaEvent::step).containsExactly(null, "s1", "s2", "s2", "s1", null);
        assertThat(events).extracting(SagaEvent::attempt).containsExactly(0, 1, 1, 2, 1, 0);
        assertThat(events.get(3).detail()).contains("down");
        assertThat(events).allSatisfy(e -> assertThat(e.sagaName()).isEqualTo("events"));
        assertThat(events.get(2).at()).isBefore(events.get(3).at());
    }

    @Test
    void a_throwing_listener_never_changes_what_the_saga_does() {
        SagaDefinition<Trail> saga = TestSagas.linear("listened", 2, ledger);
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).listener(event -> {
            throw new IllegalStateException("listener bug");
        }).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(kit.listener().types(outcome.sagaId())).endsWith(SagaEventType.SAGA_COMPLETED);
    }
}
