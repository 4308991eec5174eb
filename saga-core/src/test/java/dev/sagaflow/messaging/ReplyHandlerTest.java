package dev.sagaflow.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.messaging.ReplyHandler.Decision;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.testing.SagaTestKit;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ReplyHandlerTest {
    record CreditReserved(String reservationId, long cents) {
    }

    private final SwitchableStore store = new SwitchableStore();
    private final SagaTestKit kit = SagaTestKit.over(store);
    private final List<String> correlationIds = new CopyOnWriteArrayList<>();
    private final List<Decision> decisionsDuringTheAction = new CopyOnWriteArrayList<>();
    private volatile byte[] replyDuringTheAction;
    private SagaOrchestrator orchestrator;
    private ReplyHandler handler;

    private SagaDefinition<Trail> saga() {
        return Saga.define("order", Trail.class)
                .step("reserve-credit").action((trail, context) -> {
                    correlationIds.add(context.correlationId());
                    if (replyDuringTheAction != null) {
                        // The participant answers before this action returned, so before the checkpoint that
                        // starts the wait is written.
                        decisionsDuringTheAction.add(handler.handle(
                                SagaMessages.successReplyHeaders(context.correlationId()), replyDuringTheAction));
                    }
                    return trail.mark("credit requested");
                })
                .awaitReply(CreditReserved.class, (trail, reply) -> trail.mark("reserved " + reply.reservationId()
                        + " for " + reply.cents()))
                .compensation((trail, context) -> trail.mark("released"))
                .timeout(Duration.ofSeconds(30))
                .pivot("approve").action((trail, context) -> trail.mark("approved"))
                .build();
    }

    private SagaExecution<Trail> started() {
        SagaDefinition<Trail> saga = saga();
        orchestrator = kit.orchestrator().register(saga).build();
        handler = ReplyHandler.of(orchestrator);
        return orchestrator.start(saga, Trail.of("o-1"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_success_reply_is_applied_with_its_json_payload_converted_and_acknowledged() {
        SagaExecution<Trail> execution = started();

        Decision decision = handler.handle(SagaMessages.successReplyHeaders(correlationIds.get(0)),
                utf8("{\"reservationId\":\"r-7\",\"cents\":1250}"));

        assertThat(decision).isEqualTo(Decision.ACK);
        assertThat(execution.outcome().join().data().marks())
                .containsExactly("credit requested", "reserved r-7 for 1250", "approved");
    }

    @Test
    void a_redelivered_reply_is_acknowledged_and_applied_only_once() {
        SagaExecution<Trail> execution = started();
        Map<String, String> headers = SagaMessages.successReplyHeaders(correlationIds.get(0));
        byte[] body = utf8("{\"reservationId\":\"r-7\",\"cents\":1}");

        assertThat(handler.handle(headers, body)).isEqualTo(Decision.ACK);
        assertThat(handler.handle(headers, body)).as("the runtime rejects it as a duplicate").isEqualTo(Decision.ACK);

        assertThat(execution.outcome().join().data().marks()).containsOnlyOnce("reserved r-7 for 1");
    }

    @Test
    void a_failure_reply_is_acknowledged_and_the_saga_compensates_with_its_reason() {
        SagaExecution<Trail> execution = started();

        Decision decision = handler.handle(SagaMessages.failureReplyHeaders(correlationIds.get(0)),
                utf8("credit limit exceeded"));

        assertThat(decision).isEqualTo(Decision.ACK);
        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(execution.outcome().join().error()).contains("credit limit exceeded");
    }

    @Test
    void a_reply_that_arrives_before_the_checkpoint_that_starts_the_wait_is_recorded_acknowledged_and_applied() {
        replyDuringTheAction = utf8("{\"reservationId\":\"early\",\"cents\":5}");

        SagaExecution<Trail> execution = started();

        assertThat(decisionsDuringTheAction).containsExactly(Decision.ACK);
        assertThat(execution.outcome().join().data().marks()).contains("reserved early for 5");
    }

    @Test
    void a_reply_the_store_cannot_record_is_requeued_and_acknowledged_when_delivered_again_after_the_store_is_back() {
        SagaExecution<Trail> execution = started();
        Map<String, String> headers = SagaMessages.successReplyHeaders(correlationIds.get(0));
        byte[] body = utf8("{\"reservationId\":\"r-8\",\"cents\":2}");

        store.down = true;
        Decision whileDown = handler.handle(headers, body);
        store.down = false;
        kit.timer().advance(Duration.ofSeconds(1)); // the run's own write retries come due
        Decision again = handler.handle(headers, body);

        assertThat(whileDown).isEqualTo(Decision.REQUEUE);
        assertThat(again).isEqualTo(Decision.ACK);
        assertThat(execution.outcome().join().data().marks()).contains("reserved r-8 for 2");
    }

    @Test
    void a_late_reply_is_acknowledged_and_never_applied() {
        SagaExecution<Trail> execution = started();
        kit.timer().advance(Duration.ofSeconds(30));
        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);

        Decision decision = handler.handle(SagaMessages.successReplyHeaders(correlationIds.get(0)), utf8("{}"));

        assertThat(decision).isEqualTo(Decision.ACK);
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("reserve-credit").status())
                .isNotEqualTo(StepStatus.SUCCEEDED);
    }

    @Test
    void a_reply_for_an_instance_that_does_not_exist_is_acknowledged() {
        started();

        Decision decision = handler.handle(SagaMessages.successReplyHeaders(
                "00000000-0000-0000-0000-000000000000:reserve-credit"), null);

        assertThat(decision).isEqualTo(Decision.ACK);
    }

    @Test
    void a_message_that_is_no_sagaflow_reply_is_rejected_never_requeued() {
        started();
        String correlationId = correlationIds.get(0);

        assertThat(handler.handle(Map.of(), utf8("{}"))).isEqualTo(Decision.REJECT);
        assertThat(handler.handle(Map.of(OutboxMessage.CORRELATION_ID_HEADER, correlationId), utf8("{}")))
                .as("no outcome").isEqualTo(Decision.REJECT);
        assertThat(handler.handle(SagaMessages.successReplyHeaders("no-colon"), utf8("{}"))).isEqualTo(Decision.REJECT);
        assertThat(handler.handle(SagaMessages.successReplyHeaders(correlationId), utf8("{not json")))
                .isEqualTo(Decision.REJECT);
    }

    @Test
    void a_reply_for_a_closed_orchestrator_is_requeued_for_another_node() {
        started();
        orchestrator.close();

        assertThat(handler.handle(SagaMessages.successReplyHeaders(correlationIds.get(0)), utf8("{}")))
                .isEqualTo(Decision.REQUEUE);
    }
}
