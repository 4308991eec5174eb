package dev.sagaflow.examples.order;

import dev.sagaflow.SagaExecution;

/**
 * An order just placed: PENDING, with the saga that settles it. Immutable.
 *
 * @param order the order as created
 * @param saga the saga, whose outcome completes when the order is APPROVED or REJECTED
 */
public record PlacedOrder(Order order, SagaExecution<OrderSagaData> saga) {
}
