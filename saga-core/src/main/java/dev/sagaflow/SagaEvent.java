package dev.sagaflow;

import java.time.Instant;

/**
 * One transition of one saga instance, delivered to {@link SagaListener}s after it was durably
 * written. Immutable.
 *
 * @param type what happened
 * @param sagaId the instance
 * @param sagaName the definition's name
 * @param step the step it concerns, or {@code null} for saga-level events
 * @param attempt the attempt number it concerns, or 0
 * @param at when it happened
 * @param detail an error message or other detail, or {@code null}
 */
public record SagaEvent(SagaEventType type, String sagaId, String sagaName, String step, int attempt, Instant at,
        String detail) {
}
