package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AwaitingStepTest {
    record CreditReserved(String reservationId) {
    }

    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();
    private final List<String> sentCorrelationIds = new CopyOnWriteArrayList<>();

    private SagaDefinition<Trail> orderSaga() {
        return Saga.define("order", Trail.class)
                .step("create").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("reserve-credit").action((trail, context) -> {
                    ledger.record(context);
                    sentCorrelationIds.add(context.correlationId());
                    return trail.mark("credit requested");
                })
                .awaitReply(CreditReserved.class, (trail, reply) -> trail.mark("reserved " + reply.reservationId()))
                .compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(30))
                .pivot("approve").action(TestSagas.action(ledger))
                .build();
    }

    @Test
    void a_success_reply_completes_the_step_and_merges_its_payload() {
        SagaDefinition<Trail> saga = orderSaga();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("o"));
        assertThat(execution.outcome()).isNotDone();
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("reserve-credit").status())
                .isEqualTo(StepStatus.AWAITING_REPLY);

        orchestrator.reply(SagaReply.success(execution.sagaId(), "reserve-credit", new CreditReserved("r-1")));

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(outcome.data().marks()).containsExactly("do create", "credit requested", "reserved r-1", "do approve");
    }

    @Test
    void a_reply_can_be_routed_by_correlation_id_and_its_payload_converted() {
        SagaDefinition<Trail> saga = orderSaga();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("o"));

        orchestrator.reply(SagaReply.success(sentCorrelationIds.get(0), java.util.Map.of("reservationId", "r-2")));

        assertThat(execution.outcome().join().data().marks()).contains("reserved r-2");
    }

    @Test
    void a_failure_reply_fails_the_step_without_retry_and_the_saga_compensates() {
        SagaDefinition<Trail> saga = orderSaga();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("o"));

        orchestrator.reply(SagaReply.failure(execution.sagaId(), "reserve-credit", "credit limit exceeded"));

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("credit limit exceeded");
        assertThat(ledger.calls()).as("the participant said no, so reserve-credit is not compensated")
                .containsExactly("do create", "do reserve-credit", "undo create");
    }

    @Test
    void no_reply_in_time_times_the_step_out_and_it_is_compensated_as_possibly_done() {
        SagaDefinition<Trail> saga = orderSaga();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("o"));

        kit.timer().advance(Duration.ofSeconds(30));

        SagaOutcome<Trail> outcome = execution.outcome().join();
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do create", "do reserve-credit", "undo reserve-credit", "undo create");
        assertThat(outcome.error()).contains("timed out");
    }

    @Test
    void a_late_reply_after_the_timeout_is_rejected_and_reported_never_applied() {
        SagaDefinition<Trail> saga = orderSaga();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("o"));
        kit.timer().advance(Duration.ofSeconds(30));

        assertThatThrownBy(() -> orchestrator.reply(
                SagaReply.success(execution.sagaId(), "reserve-credit", new CreditReserved("late"))))
                .isInstanceOf(ReplyRejectedException.class)
                .hasMessageContaining("reserve-credit").hasMessageContaining(execution.sagaId())
                .hasMessageContaining("COMPENSATED");
        assertThat(kit.listener().types(execution.sagaId())).contains(SagaEventType.REPLY_REJECTED);
        assertThat(execution.outcome().join().data().marks()).doesNotContain("reserved late");
    }

    @Test
    void a_reply_for_a_step_that_is_not_waiting_is_rejected_with_a_clear_error() {
        SagaDefinition<Trail> saga = orderSaga();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("o"));

        assertThatThrownBy(() -> orchestrator.reply(SagaReply.success(execution.sagaId(), "create", null)))
                .isInstanceOf(ReplyRejectedException.class).hasMessageContaining("step 'create' does not await replies");
        assertThatThrownBy(() -> orchestrator.reply(SagaReply.success(execution.sagaId(), "no-such-step", null)))
                .isInstanceOf(ReplyRejectedException.class).hasMessageContaining("no step 'no-such-step'");
        assertThatThrownBy(() -> orchestrator.reply(SagaReply.success("3f1c0ad2-0000-4000-8000-000000000000",
                "reserve-credit", null)))
                .isInstanceOf(ReplyRejectedException.class).hasMessageContaining("no such saga instance");
        assertThat(execution.outcome()).isNotDone();
    }

    @Test
    void a_duplicate_reply_is_rejected_and_the_step_completes_once() {
        SagaDefinition<Trail> saga = orderSaga();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("o"));

        ReplyRejectedException second = SagaTestKit.deliverTwice(orchestrator,
                SagaReply.success(execution.sagaId(), "reserve-credit", new CreditReserved("r-1")));

        assertThat(second.step()).isEqualTo("reserve-credit");
        assertThat(execution.outcome().join().data().marks()).containsOnlyOnce("reserved r-1");
    }

    @Test
    void a_reply_that_arrives_before_the_action_returns_is_applied_after_it() throws Exception {
        SagaOutcome<Trail> outcome = replyWhileTheActionRuns(false);

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(outcome.data().marks()).containsExactly("asked", "got x");
    }

    @Test
    void a_reply_that_arrives_while_the_action_then_fails_still_decides_the_step() throws Exception {
        SagaOutcome<Trail> outcome = replyWhileTheActionRuns(true);

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(outcome.data().marks()).containsExactly("got x");
    }

    /** Delivers a reply while the awaiting step's action still runs, then lets the action return or throw. */
    private SagaOutcome<Trail> replyWhileTheActionRuns(boolean actionFails) throws Exception {
        CountDownLatch sent = new CountDownLatch(1);
        CountDownLatch replied = new CountDownLatch(1);
        SagaDefinition<Trail> saga = Saga.define("reply-during-action", Trail.class)
                .step("ask").action((trail, context) -> {
                    sent.countDown();
                    replied.await();
                    if (actionFails) {
                        throw new IllegalStateException("the local part failed after sending");
                    }
                    return trail.mark("asked");
                })
                .awaitReply(CreditReserved.class, (trail, reply) -> trail.mark("got " + reply.reservationId()))
                .build();
        try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(kit.store()).register(saga)
                .timer(kit.timer()).workerThreads(2).build()) {
            SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("r"));
            sent.await();
            Thread replier = new Thread(() -> orchestrator.reply(
                    SagaReply.success(execution.sagaId(), "ask", new CreditReserved("x"))));
            replier.start();
            while (replier.getState() != Thread.State.WAITING && replier.isAlive()) {
                Thread.onSpinWait();
            }
            replied.countDown();
            replier.join(30_000);
            assertThat(replier.isAlive()).as("the reply call returned").isFalse();
            return execution.outcome().get(30, TimeUnit.SECONDS);
        }
    }
}
