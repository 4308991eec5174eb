package dev.sagaflow.store;

import dev.sagaflow.SagaStatus;
import java.util.Objects;

/**
 * How many instances of one saga are in one status ({@link SagaStore#count(SagaQuery)}). Immutable.
 *
 * @param sagaName the definition's name
 * @param status the status
 * @param count how many instances
 */
public record SagaCount(String sagaName, SagaStatus status, long count) {
    public SagaCount {
        Objects.requireNonNull(sagaName, "sagaName cannot be null");
        Objects.requireNonNull(status, "status cannot be null");
    }
}
