package dev.sagaflow.store;

import dev.sagaflow.SagaEventType;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of a saga instance's history, written in the same atomic write as the transition it
 * records. Immutable.
 *
 * @param sagaId the instance
 * @param at when the transition happened
 * @param type what happened
 * @param step the step it concerns, or {@code null} for saga-level events
 * @param attempt the attempt number it concerns (0 for saga-level events)
 * @param detail an error message or other detail, or {@code null}
 */
public record HistoryEntry(String sagaId, Instant at, SagaEventType type, String step, int attempt, String detail) {

    public HistoryEntry {
        Objects.requireNonNull(sagaId, "sagaId cannot be null");
        Objects.requireNonNull(at, "at cannot be null");
        Objects.requireNonNull(type, "type cannot be null");
    }
}
