package dev.sagaflow.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A participant's reply as the store keeps it until the instance's owner applies it: one entry per
 * instance and awaiting step, written by whichever node received the reply and consumed (deleted) by
 * the write that applies it ({@link InstanceWrite#consumedReplies()}). Immutable.
 *
 * @param sagaId the instance
 * @param step the awaiting step
 * @param succeeded whether the participant did what was asked
 * @param payloadJson a success reply's payload as JSON, or {@code null}
 * @param reason a failure reply's reason, or {@code null}
 * @param receivedAt when the reply was recorded (the recording node's clock)
 */
public record RecordedReply(String sagaId, String step, boolean succeeded, String payloadJson, String reason,
        Instant receivedAt) {
    public RecordedReply {
        Objects.requireNonNull(sagaId, "sagaId cannot be null");
        Objects.requireNonNull(step, "step cannot be null");
        Objects.requireNonNull(receivedAt, "receivedAt cannot be null");
    }
}
