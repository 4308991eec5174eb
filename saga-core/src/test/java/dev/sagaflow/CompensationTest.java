package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import dev.sagaflow.testing.SagaTestKit;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CompensationTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();

    @ParameterizedTest(name = "step {0} of 4 fails")
    @ValueSource(ints = {1, 2, 3, 4})
    void completed_steps_are_compensated_newest_first_when_a_step_fails(int failing) {
        SagaDefinition<Trail> saga = TestSagas.linear("fail-at", 4, ledger);
        kit.faults().failActionAlways("s" + failing, new IllegalStateException("boom"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        List<String> expected = new ArrayList<>();
        for (int i = 1; i < failing; i++) {
            expected.add("do s" + i);
        }
        for (int i = failing - 1; i >= 1; i--) {
            expected.add("undo s" + i);
        }
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactlyElementsOf(expected);
        assertThat(outcome.data().marks()).containsExactlyElementsOf(expected);
        assertThat(outcome.error()).contains("s" + failing).contains("boom");
        SagaInstance stored = kit.store().find(outcome.sagaId()).orElseThrow();
        assertThat(stored.step("s" + failing).status()).isEqualTo(StepStatus.FAILED);
        assertThat(stored.step("s" + failing).mayHaveTakenEffect()).isFalse();
        for (int i = 1; i < failing; i++) {
            assertThat(stored.step("s" + i).status()).isEqualTo(StepStatus.COMPENSATED);
        }
        assertThat(stored.version()).as("one write per transition").isEqualTo(1 + (failing - 1) + 1 + (failing - 1));
    }

    @Test
    void a_business_rejection_is_not_retried_even_with_a_retry_policy() {
        SagaDefinition<Trail> saga = Saga.define("rejecting", Trail.class)
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("charge").action((t, c) -> {
                    ledger.record(c);
                    throw new BusinessRejection("credit limit exceeded");
                }).retry(RetryPolicy.fixed(Duration.ofMillis(10), 5))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do reserve", "do charge", "undo reserve");
        assertThat(outcome.error()).contains("credit limit exceeded");
        assertThat(kit.timer().pendingTasks()).as("no retry was scheduled").isLessThanOrEqualTo(2);
    }

    @Test
    void a_failed_attempt_is_retried_after_the_backoff_and_then_succeeds() {
        SagaDefinition<Trail> saga = Saga.define("retrying", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .retry(RetryPolicy.fixed(Duration.ofSeconds(2), 3))
                .build();
        kit.faults().failActionTimes("s1", 2, new IOException("connection reset"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        assertThat(execution.outcome()).isNotDone();
        kit.timer().advance(Duration.ofMillis(1999));
        assertThat(kit.faults().actionAttempts("s1")).isEqualTo(1);
        kit.timer().advance(Duration.ofMillis(1));
        assertThat(kit.faults().actionAttempts("s1")).isEqualTo(2);
        kit.timer().advance(Duration.ofSeconds(2));

        assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
        assertThat(kit.faults().actionAttempts("s1")).isEqualTo(3);
        assertThat(ledger.calls()).containsExactly("do s1");
        SagaInfo info = orchestrator.find(execution.sagaId()).orElseThrow();
        assertThat(info.steps().get(0).attempts()).isEqualTo(3);
        assertThat(info.history()).extracting(h -> h.type()).containsExactly(SagaEventType.SAGA_STARTED,
                SagaEventType.STEP_RETRY_SCHEDULED, SagaEventType.STEP_RETRY_SCHEDULED, SagaEventType.STEP_SUCCEEDED,
                SagaEventType.SAGA_COMPLETED);
        assertThat(info.history().get(1).detail()).contains("connection reset");
    }

    @Test
    void the_runtime_waits_longer_before_each_later_retry_as_the_policy_grows_the_delay() {
        SagaDefinition<Trail> saga = Saga.define("backing-off", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .retry(RetryPolicy.exponential(Duration.ofMillis(100), 4).withJitter(0.0))
                .compensationRetry(RetryPolicy.exponential(Duration.ofMillis(1000), 4).withJitter(0.0))
                .step("s2").action(TestSagas.action(ledger))
                .build();
        kit.faults().failActionTimes("s1", 3, new IOException("connection reset"));
        kit.faults().failActionAlways("s2", new IllegalStateException("no"));
        kit.faults().failCompensationTimes("s1", 2, new IOException("connection reset"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        // Attempts 2, 3 and 4 of the action after 100, 200 and 400 ms.
        assertActionAttemptsAfter(Duration.ofMillis(99), "s1", 1);
        assertActionAttemptsAfter(Duration.ofMillis(1), "s1", 2);
        assertActionAttemptsAfter(Duration.ofMillis(199), "s1", 2);
        assertActionAttemptsAfter(Duration.ofMillis(1), "s1", 3);
        assertActionAttemptsAfter(Duration.ofMillis(399), "s1", 3);
        assertActionAttemptsAfter(Duration.ofMillis(1), "s1", 4);
        // s2 failed at once: the compensation's attempts 2 and 3 after 1 and 2 s.
        assertThat(kit.faults().compensationAttempts("s1")).isEqualTo(1);
        kit.timer().advance(Duration.ofMillis(999));
        assertThat(kit.faults().compensationAttempts("s1")).isEqualTo(1);
        kit.timer().advance(Duration.ofMillis(1));
        assertThat(kit.faults().compensationAttempts("s1")).isEqualTo(2);
        kit.timer().advance(Duration.ofMillis(1999));
        assertThat(kit.faults().compensationAttempts("s1")).isEqualTo(2);
        kit.timer().advance(Duration.ofMillis(1));

        assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do s1", "undo s1");
    }

    private void assertActionAttemptsAfter(Duration advance, String step, int attempts) {
        kit.timer().advance(advance);
        assertThat(kit.faults().actionAttempts(step)).as("attempts of " + step + " at " + kit.timer().now())
                .isEqualTo(attempts);
    }

    @Test
    void a_step_whose_retries_are_exhausted_gives_up_and_the_saga_compensates() {
        SagaDefinition<Trail> saga = Saga.define("exhausted", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .retry(RetryPolicy.exponential(Duration.ofMillis(100), 3))
                .build();
        kit.faults().failActionAlways("s2", new IOException("down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        kit.timer().advance(Duration.ofSeconds(5));

        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(kit.faults().actionAttempts("s2")).isEqualTo(3);
        assertThat(ledger.calls()).containsExactly("do s1", "undo s1");
    }

    @Test
    void a_retry_predicate_stops_retries_for_errors_it_rejects() {
        SagaDefinition<Trail> saga = Saga.define("predicate", Trail.class)
                .step("s1").action(TestSagas.action(ledger))
                .retry(RetryPolicy.fixed(Duration.ofMillis(10), 5).retryOn(e -> e instanceof IOException))
                .build();
        kit.faults().failActionAlways("s1", new IllegalArgumentException("bad input"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(kit.faults().actionAttempts("s1")).isEqualTo(1);
    }

    @Test
    void a_step_that_times_out_may_have_taken_effect_and_is_compensated_too() {
        CompletableFuture<Trail> never = new CompletableFuture<>();
        SagaDefinition<Trail> saga = Saga.define("timing-out", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("slow").asyncAction((t, c) -> {
                    ledger.record(c);
                    return never;
                }).compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(2))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        kit.timer().advance(Duration.ofSeconds(2));

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do s1", "do slow", "undo slow", "undo s1");
        StepState slow = kit.store().find(outcome.sagaId()).orElseThrow().step("slow");
        assertThat(slow.mayHaveTakenEffect()).isTrue();
        assertThat(slow.error()).contains("timed out");

        never.complete(Trail.of("late"));
        assertThat(kit.store().find(outcome.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
    }

    @Test
    void a_compensation_that_fails_is_retried_until_it_succeeds() {
        SagaDefinition<Trail> saga = Saga.define("comp-retry", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .compensationRetry(RetryPolicy.fixed(Duration.ofSeconds(1), 5))
                .step("s2").action(TestSagas.action(ledger))
                .build();
        kit.faults().failActionAlways("s2", new IllegalStateException("no"))
                .failCompensationTimes("s1", 2, new IOException("flaky"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        kit.timer().advance(Duration.ofSeconds(2));

        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(kit.faults().compensationAttempts("s1")).isEqualTo(3);
        assertThat(ledger.calls()).containsExactly("do s1", "undo s1");
    }

    @Test
    void a_compensation_that_gives_up_leaves_the_saga_failed_until_an_operator_retries_it() {
        SagaDefinition<Trail> saga = Saga.define("comp-gives-up", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .compensationRetry(RetryPolicy.fixed(Duration.ofSeconds(1), 2))
                .step("s3").action(TestSagas.action(ledger))
                .build();
        kit.faults().failActionAlways("s3", new IllegalStateException("no"))
                .failCompensationTimes("s2", 2, new IOException("participant down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        kit.timer().advance(Duration.ofSeconds(1));

        SagaOutcome<Trail> failed = execution.outcome().join();
        assertThat(failed.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(failed.error()).contains("compensation of step 's2' gave up").contains("participant down");
        assertThat(kit.listener().types(failed.sagaId())).contains(SagaEventType.COMPENSATION_GAVE_UP,
                SagaEventType.SAGA_FAILED);
        assertThat(orchestrator.list(dev.sagaflow.store.SagaQuery.withStatus(SagaStatus.FAILED)))
                .extracting(SagaInfo::sagaId).containsExactly(failed.sagaId());
        assertThat(ledger.calls()).containsExactly("do s1", "do s2");

        kit.faults().clear();
        SagaExecution<?> retried = orchestrator.retry(failed.sagaId());

        assertThat(retried.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s2", "undo s1");
        assertThat(kit.listener().types(failed.sagaId())).contains(SagaEventType.SAGA_RETRIED);
    }

    @Test
    void steps_without_a_compensation_are_skipped_when_rolling_back() {
        SagaDefinition<Trail> saga = Saga.define("skip-uncompensated", Trail.class)
                .step("validate").action(TestSagas.action(ledger))
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("charge").action(TestSagas.action(ledger))
                .build();
        assertThat(saga.steps().get(0).kind()).isEqualTo(StepKind.UNCOMPENSATED);
        kit.faults().rejectAction("charge", "declined");
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do validate", "do reserve", "undo reserve");
    }
}
