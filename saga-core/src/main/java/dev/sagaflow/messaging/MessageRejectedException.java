package dev.sagaflow.messaging;

import dev.sagaflow.SagaException;
import dev.sagaflow.store.OutboxMessage;
import java.util.Objects;

/**
 * The broker refused a message for good (a poison message): sending it again as it is cannot succeed. A
 * {@link MessageSender} throws it; the {@link OutboxRelay} then records the message as failed with {@link
 * #reason()} ({@link dev.sagaflow.store.OutboxStore#failedOutbox(int)} lists it) and never sends it again unless
 * an operator retries it ({@link dev.sagaflow.store.OutboxStore#retryOutbox(String)}). The message names the
 * saga, the instance and the step that sent it.
 */
public class MessageRejectedException extends SagaException {
    private final String messageId;
    private final String reason;

    /**
     * A refusal of {@code message} by the broker.
     *
     * @param reason why the broker refused it, as an operator should read it
     * @param message the refused message
     * @param cause the broker client's error, or {@code null}
     */
    public MessageRejectedException(String reason, OutboxMessage message, Throwable cause) {
        super("message " + Objects.requireNonNull(message, "message cannot be null").id() + " for "
                + message.destination() + " was refused for good: " + reason, message.sagaName(), message.sagaId(),
                message.step(), cause);
        this.messageId = message.id();
        this.reason = Objects.requireNonNull(reason, "reason cannot be null");
    }

    /** The refused message's id. */
    public String messageId() {
        return messageId;
    }

    /** Why the broker refused it. */
    public String reason() {
        return reason;
    }
}
