package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.testing.SagaTestKit;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The saga-wide deadline ({@code Saga.define(...).timeout(...)}): it aborts a saga that has not passed its pivot,
 * after a restart too, bounds what each attempt is told, stops retries, and no longer applies past the pivot.
 */
class DeadlineTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();
    /** The deadline each attempt was told, by "step#attempt" ("undo step#attempt" for compensations). */
    private final Map<String, Optional<Instant>> deadlinesSeen = new ConcurrentHashMap<>();

    private StepAction<Trail> recordingDeadline(String prefix) {
        return (trail, context) -> {
            deadlinesSeen.put(prefix + context.stepName() + "#" + context.attempt(), context.deadline());
            ledger.record(context);
            return trail.mark((prefix.isEmpty() ? "do " : prefix) + context.stepName());
        };
    }

    private SagaDefinition<Trail> waitingForAReply(Duration sagaTimeout) {
        return Saga.define("deadline", Trail.class).timeout(sagaTimeout)
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("wait").action(TestSagas.action(ledger)).awaitReply().compensation(TestSagas.compensation(ledger))
                .build();
    }

    @Test
    void the_deadline_is_armed_again_when_a_restarted_node_resumes_the_saga() {
        SagaDefinition<Trail> saga = waitingForAReply(Duration.ofMinutes(1));
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        kit.timer().advance(Duration.ofSeconds(20));
        SagaTestKit.crash(first);

        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga).build();
        kit.timer().advance(Duration.ofSeconds(39));
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
        kit.timer().advance(Duration.ofSeconds(1));

        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do reserve", "do wait", "undo wait", "undo reserve");
        assertThat(kit.store().history(execution.sagaId())).extracting(HistoryEntry::type)
                .contains(SagaEventType.SAGA_ABORTED);
        second.close();
    }

    @Test
    void the_deadline_aborts_the_saga_on_time_and_records_the_abort_with_the_deadline() {
        SagaDefinition<Trail> saga = waitingForAReply(Duration.ofMinutes(1));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        Instant started = kit.timer().now();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        kit.timer().advance(Duration.ofSeconds(59));
        assertThat(execution.outcome()).isNotDone();
        kit.timer().advance(Duration.ofSeconds(1));

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("aborted: saga deadline").contains(started.plusSeconds(60).toString());
        assertThat(kit.store().history(execution.sagaId()))
                .filteredOn(entry -> entry.type() == SagaEventType.SAGA_ABORTED).hasSize(1);
        orchestrator.close();
    }

    @Test
    void an_attempt_is_told_the_saga_deadline_when_it_comes_before_its_own_timeout_and_its_timeout_otherwise() {
        SagaDefinition<Trail> saga = Saga.define("bounded", Trail.class).timeout(Duration.ofMinutes(1))
                .step("long").action(recordingDeadline("")).compensation(recordingDeadline("undo "))
                .timeout(Duration.ofMinutes(5))
                .step("short").action(recordingDeadline("")).compensation(recordingDeadline("undo "))
                .timeout(Duration.ofSeconds(10))
                .step("unbounded").action((trail, context) -> {
                    recordingDeadline("").apply(trail, context);
                    throw new IllegalStateException("no");
                })
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        Instant started = kit.timer().now();

        orchestrator.run(saga, Trail.of("t"));

        assertThat(deadlinesSeen).containsEntry("long#1", Optional.of(started.plusSeconds(60)))
                .containsEntry("short#1", Optional.of(started.plusSeconds(10)))
                .containsEntry("unbounded#1", Optional.of(started.plusSeconds(60)))
                .as("a compensation runs whatever the saga's deadline: only its own timeout bounds it")
                .containsEntry("undo short#1", Optional.of(started.plusSeconds(10)))
                .containsEntry("undo long#1", Optional.of(started.plusSeconds(300)));
    }

    @Test
    void past_the_pivot_the_deadline_no_longer_applies_neither_to_attempts_nor_to_the_saga() {
        SagaDefinition<Trail> saga = Saga.define("committed", Trail.class).timeout(Duration.ofMinutes(1))
                .pivot("commit").action(recordingDeadline(""))
                .step("notify").action(recordingDeadline("")).retry(RetryPolicy.fixed(Duration.ofMinutes(1), 3))
                .build();
        kit.faults().failActionTimes("notify", 2, new IOException("mail server down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        Instant started = kit.timer().now();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        kit.timer().advance(Duration.ofMinutes(2));

        assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
        assertThat(deadlinesSeen).containsEntry("commit#1", Optional.of(started.plusSeconds(60)));
        assertThat(deadlinesSeen.get("notify#3")).isEmpty();
        assertThat(kit.faults().actionAttempts("notify")).isEqualTo(3);
        orchestrator.close();
    }

    @Test
    void a_failure_after_the_deadline_passed_is_not_retried_but_gives_up() {
        SagaDefinition<Trail> saga = Saga.define("late", Trail.class).timeout(Duration.ofSeconds(30))
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("slow").action((trail, context) -> {
                    ledger.record(context);
                    // The attempt runs past the saga's deadline (before the deadline's timer could fire), then fails.
                    kit.timer().stall(Duration.ofSeconds(31));
                    throw new IOException("down");
                }).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 5))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().leaseDuration(Duration.ofMinutes(10)).register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        assertThat(execution.outcome()).isDone();
        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do reserve", "do slow", "undo reserve");
        assertThat(kit.store().history(outcome.sagaId())).extracting(HistoryEntry::type)
                .doesNotContain(SagaEventType.STEP_RETRY_SCHEDULED);
        orchestrator.close();
    }

    @Test
    void a_saga_without_a_deadline_waits_as_long_as_it_takes() {
        SagaDefinition<Trail> saga = Saga.define("patient", Trail.class)
                .step("wait").action(TestSagas.action(ledger)).awaitReply().compensation(TestSagas.compensation(ledger))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        kit.timer().advance(Duration.ofDays(30));
        orchestrator.reply(SagaReply.success(execution.sagaId(), "wait", null));

        assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
        assertThatThrownBy(() -> orchestrator.abort(execution.sagaId(), "late")).isInstanceOf(
                IllegalTransitionException.class);
        assertThat(List.copyOf(ledger.calls())).containsExactly("do wait");
        orchestrator.close();
    }
}
