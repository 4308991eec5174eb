package dev.sagaflow.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.RecordingListener;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Host code that breaks its contract: listeners that are null or throw (even Errors), handlers and
 * reply mergers that return null, handlers that never answer, synchronously or not. Each gets a
 * named error, the instance ends where an operator sees it, and other sagas go on.
 */
class HostileHandlersTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();

    @Test
    void a_null_listener_is_refused_when_the_orchestrator_is_built() {
        assertThatThrownBy(() -> kit.orchestrator().listener(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("listener cannot be null");
    }

    @Test
    void listeners_throwing_exceptions_and_errors_change_nothing_and_later_listeners_see_every_event() {
        SagaDefinition<Trail> saga = TestSagas.linear("noisy", 3, ledger);
        RecordingListener after = new RecordingListener();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga)
                .listener(event -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(event -> {
                    throw new AssertionError("listener assertion");
                })
                .listener(event -> {
                    throw new StackOverflowError("listener recursion");
                })
                .listener(after)
                .build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(after.types(outcome.sagaId())).containsExactly(SagaEventType.SAGA_STARTED,
                SagaEventType.STEP_SUCCEEDED, SagaEventType.STEP_SUCCEEDED, SagaEventType.STEP_SUCCEEDED,
                SagaEventType.SAGA_COMPLETED);
        assertThat(kit.listener().types(outcome.sagaId())).hasSize(5);
    }

    @Test
    void an_action_returning_null_fails_its_step_without_retry_and_the_saga_compensates_naming_the_error() {
        SagaDefinition<Trail> saga = Saga.define("null-action", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").action((trail, context) -> {
                    ledger.record(context);
                    return null;
                }).compensation(TestSagas.compensation(ledger)).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 5))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("step 's2' failed", "action returned null data");
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s1");
    }

    @Test
    void a_compensation_returning_null_leaves_the_saga_failed_for_an_operator_naming_the_error() {
        SagaDefinition<Trail> saga = Saga.define("null-compensation", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation((trail, context) -> {
                    ledger.record(context);
                    return null;
                })
                .step("s2").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .build();
        kit.faults().rejectAction("s2", "no");
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(outcome.error()).contains("compensation of step 's1'", "compensation returned null data");
        assertThat(orchestrator.list(SagaQuery.withStatus(SagaStatus.FAILED))).extracting(SagaInfo::sagaId)
                .containsExactly(outcome.sagaId());
        assertThat(kit.listener().types(outcome.sagaId())).contains(SagaEventType.COMPENSATION_GAVE_UP);
    }

    @Test
    void asynchronous_handlers_returning_a_null_stage_or_completing_with_null_fail_with_named_errors() {
        SagaDefinition<Trail> nullStage = Saga.define("null-stage", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction((trail, context) -> null)
                .build();
        SagaDefinition<Trail> nullResult = Saga.define("null-result", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction((trail, context) -> CompletableFuture.completedFuture(null))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(nullStage, nullResult).build();

        assertThat(orchestrator.run(nullStage, Trail.of("t")).error())
                .contains("step 's2' failed", "asynchronous handler returned a null stage");
        assertThat(orchestrator.run(nullResult, Trail.of("t")).error())
                .contains("step 's2' failed", "action returned null data");
    }

    @Test
    void a_reply_merger_returning_null_fails_the_step_as_possibly_done_and_it_is_compensated() {
        SagaDefinition<Trail> saga = Saga.define("null-merger", Trail.class)
                .step("ask").action(TestSagas.action(ledger)).awaitReply(String.class, (trail, reply) -> null)
                .compensation(TestSagas.compensation(ledger))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        orchestrator.reply(SagaReply.success(execution.sagaId(), "ask", "yes"));

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("reply could not be merged", "reply merger returned null data");
        assertThat(ledger.calls()).containsExactly("do ask", "undo ask");
    }

    @Test
    void a_handler_that_never_completes_is_ended_by_its_timeout_and_compensated_as_possibly_done() {
        SagaDefinition<Trail> saga = Saga.define("silent", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction((trail, context) -> {
                    ledger.record(context);
                    return new CompletableFuture<>();
                }).compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(30))
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));

        kit.timer().advance(Duration.ofSeconds(30));

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("StepTimeoutException", "action timed out (attempt 1)", "step 's2'");
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s2", "undo s1");
    }

    @Test
    void a_handler_that_never_completes_without_a_timeout_shows_up_as_stuck_and_an_operator_aborts_it() {
        SagaDefinition<Trail> saga = Saga.define("silent-forever", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction((trail, context) -> new CompletableFuture<>())
                .compensation(TestSagas.compensation(ledger))
                .build();
        SagaDefinition<Trail> other = TestSagas.linear("unaffected", 2, new Ledger());
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga, other).build();
        String id = orchestrator.start(saga, Trail.of("t")).sagaId();

        kit.timer().advance(Duration.ofHours(2));
        assertThat(orchestrator.run(other, Trail.of("o")).status()).isEqualTo(SagaStatus.COMPLETED);
        List<SagaInfo> stuck = orchestrator.list(SagaQuery.withStatus(SagaStatus.RUNNING)
                .updatedBefore(kit.timer().now().minus(Duration.ofHours(1))));
        assertThat(stuck).extracting(SagaInfo::sagaId).containsExactly(id);
        assertThat(stuck.get(0).steps().get(1).status()).isEqualTo(StepStatus.RUNNING);

        orchestrator.abort(id, "participant never answered");

        assertThat(kit.store().find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(kit.listener().events(id)).extracting(SagaEvent::type).contains(SagaEventType.SAGA_ABORTED);
        assertThat(ledger.calls()).containsExactly("do s1", "undo s2", "undo s1");
    }

    @Test
    void a_synchronous_handler_that_blocks_forever_times_out_while_the_pool_serves_other_sagas_and_close_returns()
            throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        SagaDefinition<Trail> saga = Saga.define("blocking", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").action((trail, context) -> {
                    never.await();
                    return trail;
                }).compensation(TestSagas.compensation(ledger)).timeout(Duration.ofMillis(200))
                .build();
        SagaDefinition<Trail> other = TestSagas.linear("beside-the-blocked", 2, new Ledger());
        SagaOrchestrator orchestrator = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga, other)
                .workerThreads(2).shutdownTimeout(Duration.ZERO).build();
        try {
            SagaExecution<Trail> blocked = orchestrator.start(saga, Trail.of("t"));
            SagaOutcome<Trail> outcome = blocked.outcome().get(60, TimeUnit.SECONDS);
            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(outcome.error()).contains("timed out");
            for (int i = 0; i < 20; i++) {
                assertThat(orchestrator.start(other, Trail.of("o" + i)).outcome().get(60, TimeUnit.SECONDS).status())
                        .isEqualTo(SagaStatus.COMPLETED);
            }
        } finally {
            orchestrator.close();
            never.countDown();
        }
    }
}
