package dev.sagaflow.examples.boot;

import java.math.BigDecimal;

/**
 * The data the order saga carries from step to step, stored as JSON with every checkpoint. Immutable.
 *
 * @param orderId the order, also the saga's idempotency key
 * @param customerId the customer whose credit pays for it
 * @param amount the order's total
 */
public record OrderSagaData(String orderId, String customerId, BigDecimal amount) {
}
