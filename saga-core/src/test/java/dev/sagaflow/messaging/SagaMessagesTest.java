package dev.sagaflow.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sagaflow.SagaReply;
import dev.sagaflow.store.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SagaMessagesTest {
    private static final String SAGA_ID = "5b0e4c5e-86e8-4b40-9b8e-0d3a2b9a6a11";

    @Test
    void a_command_carries_its_own_headers_then_its_message_id_and_the_sagas_id_name_and_step() {
        OutboxMessage message = new OutboxMessage("m-1", SAGA_ID, "order", "reserve-credit", "customers", "{}",
                Map.of(OutboxMessage.IDEMPOTENCY_KEY_HEADER, SAGA_ID + ":reserve-credit",
                        OutboxMessage.CORRELATION_ID_HEADER, SAGA_ID + ":reserve-credit", "traceparent", "00-abc"),
                Instant.EPOCH);

        Map<String, String> headers = SagaMessages.headers(message);

        assertThat(headers).containsEntry(OutboxMessage.IDEMPOTENCY_KEY_HEADER, SAGA_ID + ":reserve-credit")
                .containsEntry(OutboxMessage.CORRELATION_ID_HEADER, SAGA_ID + ":reserve-credit")
                .containsEntry("traceparent", "00-abc")
                .containsEntry(OutboxMessage.MESSAGE_ID_HEADER, "m-1")
                .containsEntry(OutboxMessage.SAGA_ID_HEADER, SAGA_ID)
                .containsEntry(OutboxMessage.SAGA_NAME_HEADER, "order")
                .containsEntry(OutboxMessage.STEP_HEADER, "reserve-credit")
                .hasSize(7);
        assertThat(List.copyOf(headers.keySet()).subList(3, 7)).containsExactly(OutboxMessage.MESSAGE_ID_HEADER,
                OutboxMessage.SAGA_ID_HEADER, OutboxMessage.SAGA_NAME_HEADER, OutboxMessage.STEP_HEADER);
    }

    @Test
    void a_success_reply_becomes_a_saga_reply_addressed_by_its_correlation_id_with_its_body_as_json() {
        SagaReply reply = SagaMessages.toReply(SagaMessages.successReplyHeaders(SAGA_ID + ":reserve-credit"),
                "{\"reservationId\":\"r-1\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.sagaId()).isEqualTo(SAGA_ID);
        assertThat(reply.step()).isEqualTo("reserve-credit");
        assertThat(reply.succeeded()).isTrue();
        assertThat(((JsonNode) reply.payload()).get("reservationId").asText()).isEqualTo("r-1");
    }

    @Test
    void a_success_reply_without_a_body_has_no_payload_and_a_failure_reply_without_one_a_default_reason() {
        assertThat(SagaMessages.toReply(SagaMessages.successReplyHeaders(SAGA_ID + ":s"), new byte[0]).payload()).isNull();
        SagaReply failure = SagaMessages.toReply(Map.of(OutboxMessage.CORRELATION_ID_HEADER, SAGA_ID + ":s",
                SagaMessages.REPLY_OUTCOME_HEADER, " FAILURE "), null);
        assertThat(failure.succeeded()).isFalse();
        assertThat(failure.reason()).isEqualTo("failure reply");
    }

    @Test
    void a_failure_reply_carries_its_body_as_the_reason() {
        SagaReply reply = SagaMessages.toReply(SagaMessages.failureReplyHeaders(SAGA_ID + ":reserve-credit"),
                "crédit refusé".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.succeeded()).isFalse();
        assertThat(reply.reason()).isEqualTo("crédit refusé");
    }

    @Test
    void a_message_without_correlation_id_or_outcome_is_no_reply_and_the_error_says_what_is_missing() {
        assertThatThrownBy(() -> SagaMessages.toReply(Map.of("x", "y"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs the header sagaflow-correlation-id");
        assertThatThrownBy(() -> SagaMessages.toReply(Map.of(OutboxMessage.CORRELATION_ID_HEADER, SAGA_ID + ":s",
                SagaMessages.REPLY_OUTCOME_HEADER, "maybe"), null))
                .hasMessageContaining("sagaflow-reply-outcome = 'success' or 'failure', was 'maybe'");
        assertThatThrownBy(() -> SagaMessages.successReplyHeaders(" "))
                .hasMessage("correlationId cannot be null or blank");
    }
}
