package dev.sagaflow.examples.order;

import dev.sagaflow.SagaInfo;
import java.util.Optional;

/**
 * What {@code GET /orders/{id}} shows: the order and its saga. Immutable.
 *
 * @param order the order
 * @param saga its saga's status, steps and history, if a saga was started
 */
public record OrderView(Order order, Optional<SagaInfo> saga) {
}
