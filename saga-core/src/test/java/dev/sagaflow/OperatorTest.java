package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.testing.SagaTestKit;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OperatorTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();

    private SagaDefinition<Trail> withPivot() {
        return Saga.define("pivoting", Trail.class)
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("wait").action(TestSagas.action(ledger)).awaitReply().compensation(TestSagas.compensation(ledger))
                .pivot("approve").action(TestSagas.action(ledger))
                .step("notify").action(TestSagas.action(ledger)).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 3))
                .build();
    }

    @Test
    void a_step_after_the_pivot_is_retried_and_never_compensated() {
        SagaDefinition<Trail> saga = withPivot();
        kit.faults().failActionTimes("notify", 2, new IOException("mail server down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        orchestrator.reply(SagaReply.success(execution.sagaId(), "wait", null));

        kit.timer().advance(Duration.ofSeconds(2));

        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(ledger.calls()).containsExactly("do reserve", "do wait", "do approve", "do notify");
        assertThat(kit.faults().actionAttempts("notify")).isEqualTo(3);
    }

    @Test
    void a_step_after_the_pivot_that_gives_up_leaves_the_saga_failed_and_an_operator_retries_it() {
        SagaDefinition<Trail> saga = withPivot();
        kit.faults().failActionAlways("notify", new IOException("mail server down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        orchestrator.reply(SagaReply.success(execution.sagaId(), "wait", null));
        kit.timer().advance(Duration.ofSeconds(2));

        SagaOutcome<Trail> failed = execution.outcome().join();
        assertThat(failed.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(failed.error()).contains("notify").contains("mail server down");
        assertThat(ledger.calls()).as("nothing is compensated after the pivot")
                .containsExactly("do reserve", "do wait", "do approve");

        kit.faults().clear();
        SagaExecution<?> retried = orchestrator.retry(failed.sagaId());

        assertThat(retried.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(ledger.calls()).containsExactly("do reserve", "do wait", "do approve", "do notify");
    }

    @Test
    void aborting_a_waiting_saga_compensates_what_took_effect_including_the_waiting_step() {
        SagaDefinition<Trail> saga = withPivot();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        orchestrator.abort(execution.sagaId(), "customer cancelled");

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("customer cancelled");
        assertThat(ledger.calls()).containsExactly("do reserve", "do wait", "undo wait", "undo reserve");
        assertThat(kit.listener().types(execution.sagaId())).contains(SagaEventType.SAGA_ABORTED);
    }

    @Test
    void who_aborted_or_retried_a_saga_is_recorded_in_its_history() {
        SagaDefinition<Trail> saga = withPivot();
        kit.faults().failActionAlways("notify", new IOException("mail server down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> aborted = orchestrator.start(saga, Trail.of("a"));
        SagaExecution<Trail> failed = orchestrator.start(saga, Trail.of("f"));
        orchestrator.reply(SagaReply.success(failed.sagaId(), "wait", null));
        kit.timer().advance(Duration.ofSeconds(2));

        orchestrator.abort(aborted.sagaId(), "customer cancelled", "alice");
        kit.faults().clear();
        orchestrator.retry(failed.sagaId(), "bob").outcome().join();

        assertThat(aborted.outcome().join().error()).contains("by alice: customer cancelled");
        assertThat(kit.store().history(aborted.sagaId()))
                .filteredOn(entry -> entry.type() == SagaEventType.SAGA_ABORTED)
                .extracting(dev.sagaflow.store.HistoryEntry::detail).containsExactly("by alice: customer cancelled");
        assertThat(kit.store().history(failed.sagaId()))
                .filteredOn(entry -> entry.type() == SagaEventType.SAGA_RETRIED)
                .extracting(dev.sagaflow.store.HistoryEntry::detail).containsExactly("by bob");
        assertThatThrownBy(() -> orchestrator.abort(failed.sagaId(), "x", "eve\nmallory"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actor");
    }

    @Test
    void aborting_is_refused_past_the_pivot_and_for_finished_sagas() {
        SagaDefinition<Trail> saga = withPivot();
        kit.faults().failActionAlways("notify", new IOException("down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        orchestrator.reply(SagaReply.success(execution.sagaId(), "wait", null));

        assertThatThrownBy(() -> orchestrator.abort(execution.sagaId(), "too late"))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("past its pivot 'approve'")
                .hasMessageContaining(execution.sagaId());
        kit.timer().advance(Duration.ofSeconds(5));
        assertThatThrownBy(() -> orchestrator.abort(execution.sagaId(), "too late"))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("FAILED");
        assertThatThrownBy(() -> orchestrator.abort("00000000-0000-4000-8000-000000000000", "x"))
                .isInstanceOf(UnknownSagaException.class);
    }

    @Test
    void retrying_a_saga_that_is_not_failed_is_refused() {
        SagaDefinition<Trail> saga = TestSagas.linear("done", 1, ledger);
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThatThrownBy(() -> orchestrator.retry(outcome.sagaId()))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("COMPLETED").hasMessageContaining("only a FAILED saga can be retried");
    }

    @Test
    void the_saga_deadline_aborts_a_saga_that_has_not_reached_its_pivot() {
        SagaDefinition<Trail> saga = Saga.define("deadline", Trail.class).timeout(Duration.ofMinutes(1))
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("wait").action(TestSagas.action(ledger)).awaitReply().compensation(TestSagas.compensation(ledger))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        kit.timer().advance(Duration.ofMinutes(1));

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do reserve", "do wait", "undo wait", "undo reserve");
    }

    @Test
    void a_pivot_that_gives_up_compensates_the_steps_before_it_instead_of_failing_the_saga() {
        SagaDefinition<Trail> saga = Saga.define("pivot-fails", Trail.class)
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .pivot("charge").action(TestSagas.action(ledger))
                .step("notify").action(TestSagas.action(ledger))
                .build();
        kit.faults().failActionAlways("charge", new IOException("card declined"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do reserve", "undo reserve");
        assertThat(kit.listener().types(outcome.sagaId())).doesNotContain(SagaEventType.SAGA_FAILED);
    }

    @Test
    void a_pivot_waiting_for_a_reply_that_fails_compensates_the_steps_before_it() {
        SagaDefinition<Trail> saga = Saga.define("pivot-refused", Trail.class)
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .pivot("approve").action(TestSagas.action(ledger)).awaitReply()
                .step("notify").action(TestSagas.action(ledger))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        orchestrator.reply(SagaReply.failure(execution.sagaId(), "approve", "rejected by the bank"));

        assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do reserve", "do approve", "undo reserve");
    }

    @Test
    void a_step_right_after_a_first_step_pivot_that_gives_up_leaves_the_saga_failed() {
        SagaDefinition<Trail> saga = Saga.define("pivot-first", Trail.class)
                .pivot("charge").action(TestSagas.action(ledger))
                .step("notify").action(TestSagas.action(ledger)).retry(RetryPolicy.none())
                .build();
        kit.faults().failActionAlways("notify", new IOException("mail server down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(outcome.error()).contains("notify").contains("mail server down");
        assertThat(kit.listener().types(outcome.sagaId())).contains(SagaEventType.SAGA_FAILED);
    }

    @Test
    void a_closed_orchestrator_refuses_replies_aborts_and_retries_and_leaves_the_store_as_it_was() {
        SagaDefinition<Trail> saga = withPivot();
        kit.faults().failActionAlways("notify", new IOException("mail server down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> waiting = orchestrator.start(saga, Trail.of("w"));
        SagaExecution<Trail> failed = orchestrator.start(saga, Trail.of("f"));
        orchestrator.reply(SagaReply.success(failed.sagaId(), "wait", null));
        kit.timer().advance(Duration.ofSeconds(5));
        assertThat(failed.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.FAILED);
        kit.faults().clear();
        long waitingVersion = kit.store().find(waiting.sagaId()).orElseThrow().version();
        long failedVersion = kit.store().find(failed.sagaId()).orElseThrow().version();

        orchestrator.close();

        assertThatThrownBy(() -> orchestrator.reply(SagaReply.success(waiting.sagaId(), "wait", null)))
                .isInstanceOf(OrchestratorClosedException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> orchestrator.abort(waiting.sagaId(), "customer cancelled"))
                .isInstanceOf(OrchestratorClosedException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> orchestrator.retry(failed.sagaId()))
                .isInstanceOf(OrchestratorClosedException.class).hasMessageContaining("closed");
        assertThat(kit.store().find(waiting.sagaId()).orElseThrow().version()).isEqualTo(waitingVersion);
        assertThat(kit.store().find(failed.sagaId()).orElseThrow().version()).isEqualTo(failedVersion);
        assertThat(kit.store().replies(waiting.sagaId())).isEmpty();
        assertThat(ledger.calls()).containsExactly("do reserve", "do wait", "do reserve", "do wait", "do approve");
    }

    @Test
    void find_shows_status_data_steps_and_history_and_list_filters_by_status_and_age() {
        SagaDefinition<Trail> saga = withPivot();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> waiting = orchestrator.start(saga, Trail.of("w"));
        kit.timer().advance(Duration.ofMinutes(10));
        SagaExecution<Trail> fresh = orchestrator.start(saga, Trail.of("f"));

        SagaInfo info = orchestrator.find(waiting.sagaId()).orElseThrow();
        assertThat(info.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(info.data()).isEqualTo(Trail.of("w").mark("do reserve").mark("do wait"));
        assertThat(info.dataJson()).contains("\"name\":\"w\"");
        assertThat(info.steps()).extracting(s -> s.status()).containsExactly(StepStatus.SUCCEEDED,
                StepStatus.AWAITING_REPLY, StepStatus.PENDING, StepStatus.PENDING);
        assertThat(info.history()).extracting(h -> h.type()).containsExactly(SagaEventType.SAGA_STARTED,
                SagaEventType.STEP_SUCCEEDED, SagaEventType.STEP_AWAITING_REPLY);
        assertThat(info.owner()).isEqualTo("node-1");

        SagaQuery stuck = SagaQuery.withStatus(SagaStatus.RUNNING).updatedBefore(kit.timer().now().minusSeconds(60));
        assertThat(orchestrator.list(stuck)).extracting(SagaInfo::sagaId).containsExactly(waiting.sagaId());
        assertThat(orchestrator.list(SagaQuery.withStatus(SagaStatus.RUNNING))).extracting(SagaInfo::sagaId)
                .containsExactlyInAnyOrder(waiting.sagaId(), fresh.sagaId());
        assertThat(orchestrator.find("00000000-0000-4000-8000-000000000000")).isEmpty();
    }
}
