package dev.sagaflow.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.SagaReply;
import dev.sagaflow.store.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a command and a reply carry over any broker, and the mapping between a reply message and a {@link
 * SagaReply}. Broker modules use it on both sides; a participant written without Sagaflow follows the same
 * rules:
 *
 * <ul>
 *   <li>A <b>command</b> carries its payload (JSON) as the body, and the headers of {@link
 *       #headers(OutboxMessage)}: the step's idempotency key ({@value OutboxMessage#IDEMPOTENCY_KEY_HEADER},
 *       the same on every send of the message: deduplicate by it), the correlation id a reply must carry back
 *       ({@value OutboxMessage#CORRELATION_ID_HEADER}), the message id ({@value OutboxMessage#MESSAGE_ID_HEADER})
 *       and the saga's id, name and step ({@value OutboxMessage#SAGA_ID_HEADER}, {@value
 *       OutboxMessage#SAGA_NAME_HEADER}, {@value OutboxMessage#STEP_HEADER}).</li>
 *   <li>A <b>reply</b> carries the command's correlation id in {@value OutboxMessage#CORRELATION_ID_HEADER} and
 *       {@value #REPLY_OUTCOME_HEADER}: {@value #SUCCESS} (the body is the reply's payload as JSON, or empty)
 *       or {@value #FAILURE} (the participant said no; the body is the reason as UTF-8 text).</li>
 * </ul>
 *
 * <p>Header values are text. Thread-safe (stateless).
 */
public final class SagaMessages {
    /** The header of a reply that says whether the participant did what was asked: {@value #SUCCESS} or {@value #FAILURE}. */
    public static final String REPLY_OUTCOME_HEADER = "sagaflow-reply-outcome";
    /** {@value #REPLY_OUTCOME_HEADER} of a success reply. */
    public static final String SUCCESS = "success";
    /** {@value #REPLY_OUTCOME_HEADER} of a failure reply. */
    public static final String FAILURE = "failure";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SagaMessages() {
    }

    /**
     * The headers a sender sets on {@code message}: the message's own headers (idempotency key, correlation id,
     * and any the step added), then its message id and the saga's id, name and step. In that order; a later
     * entry wins over an earlier one of the same name.
     */
    public static Map<String, String> headers(OutboxMessage message) {
        Objects.requireNonNull(message, "message cannot be null");
        Map<String, String> headers = new LinkedHashMap<>(message.headers());
        headers.put(OutboxMessage.MESSAGE_ID_HEADER, message.id());
        headers.put(OutboxMessage.SAGA_ID_HEADER, message.sagaId());
        headers.put(OutboxMessage.SAGA_NAME_HEADER, message.sagaName());
        headers.put(OutboxMessage.STEP_HEADER, message.step());
        return headers;
    }

    /** The headers of a success reply to the command that carried {@code correlationId}. */
    public static Map<String, String> successReplyHeaders(String correlationId) {
        return replyHeaders(correlationId, SUCCESS);
    }

    /** The headers of a failure reply (the participant said no) to the command that carried {@code correlationId}. */
    public static Map<String, String> failureReplyHeaders(String correlationId) {
        return replyHeaders(correlationId, FAILURE);
    }

    private static Map<String, String> replyHeaders(String correlationId, String outcome) {
        if (correlationId == null || correlationId.isBlank()) {
            throw new IllegalArgumentException("correlationId cannot be null or blank");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(OutboxMessage.CORRELATION_ID_HEADER, correlationId);
        headers.put(REPLY_OUTCOME_HEADER, outcome);
        return headers;
    }

    /**
     * The {@link SagaReply} a reply message carries. A success reply's payload is its body read as JSON (a
     * Jackson {@link JsonNode}, which the orchestrator converts to the step's reply type through its codec), or
     * {@code null} for an empty body; a failure reply's reason is its body as UTF-8 text, or {@code "failure
     * reply"} for an empty body.
     *
     * @param headers the message's headers (only the two named above are read)
     * @param body the message's body, or {@code null} for none
     * @throws IllegalArgumentException if the message is no Sagaflow reply: no correlation id or one of another
     *     form, no or another outcome, a success body that is not JSON. Delivering it again cannot help.
     */
    public static SagaReply toReply(Map<String, String> headers, byte[] body) {
        Objects.requireNonNull(headers, "headers cannot be null");
        String correlationId = headers.get(OutboxMessage.CORRELATION_ID_HEADER);
        if (correlationId == null || correlationId.isBlank()) {
            throw new IllegalArgumentException("a reply message needs the header " + OutboxMessage.CORRELATION_ID_HEADER
                    + " (the correlation id of the command it answers); headers were " + headers.keySet());
        }
        String outcome = headers.get(REPLY_OUTCOME_HEADER);
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        if (outcome != null && outcome.trim().toLowerCase(Locale.ROOT).equals(SUCCESS)) {
            return SagaReply.success(correlationId, text.isBlank() ? null : json(text, correlationId));
        }
        if (outcome != null && outcome.trim().toLowerCase(Locale.ROOT).equals(FAILURE)) {
            return SagaReply.failure(correlationId, text.isBlank() ? null : text);
        }
        throw new IllegalArgumentException("a reply message needs the header " + REPLY_OUTCOME_HEADER + " = '"
                + SUCCESS + "' or '" + FAILURE + "', was " + (outcome == null ? "missing" : "'" + outcome + "'")
                + " (correlation id " + correlationId + ")");
    }

    private static JsonNode json(String text, String correlationId) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body of the success reply for " + correlationId
                    + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
