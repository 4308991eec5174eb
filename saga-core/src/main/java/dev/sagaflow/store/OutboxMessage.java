package dev.sagaflow.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A command message a saga step sends, as the store's outbox keeps it: written in the same transaction
 * as the step's checkpoint ({@link InstanceWrite#outbox()}), so it exists if and only if the step was
 * recorded, and relayed to a broker afterwards, at least once. Immutable.
 *
 * @param id unique per message; relays send it as the message id, so consumers can deduplicate
 * @param sagaId the instance that sends it
 * @param sagaName the definition's name
 * @param step the step that sends it
 * @param destination where to send it (a queue, an exchange and routing key, a topic: the sender's syntax)
 * @param payload the message body (the command encoded by the saga's codec)
 * @param headers message headers: the step's idempotency key and correlation id, trace context, and any the
 *     step added
 * @param createdAt when the step's checkpoint was written
 */
public record OutboxMessage(String id, String sagaId, String sagaName, String step, String destination,
        String payload, Map<String, String> headers, Instant createdAt) {

    /** The header holding the step's idempotency key ({@code <sagaId>:<step>}). */
    public static final String IDEMPOTENCY_KEY_HEADER = "sagaflow-idempotency-key";
    /** The header holding the correlation id a reply must carry back ({@code <sagaId>:<step>}). */
    public static final String CORRELATION_ID_HEADER = "sagaflow-correlation-id";
    /** The header holding the message id. */
    public static final String MESSAGE_ID_HEADER = "sagaflow-message-id";
    /** The header holding the saga instance id. */
    public static final String SAGA_ID_HEADER = "sagaflow-saga-id";
    /** The header holding the saga's name. */
    public static final String SAGA_NAME_HEADER = "sagaflow-saga-name";
    /** The header holding the step's name. */
    public static final String STEP_HEADER = "sagaflow-step";

    public OutboxMessage {
        Objects.requireNonNull(id, "id cannot be null");
        Objects.requireNonNull(sagaId, "sagaId cannot be null");
        Objects.requireNonNull(sagaName, "sagaName cannot be null");
        Objects.requireNonNull(step, "step cannot be null");
        Objects.requireNonNull(destination, "destination cannot be null");
        Objects.requireNonNull(payload, "payload cannot be null");
        Objects.requireNonNull(createdAt, "createdAt cannot be null");
        headers = Map.copyOf(headers);
    }
}
