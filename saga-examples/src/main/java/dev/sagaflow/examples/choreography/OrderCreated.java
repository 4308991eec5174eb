package dev.sagaflow.examples.choreography;

import java.math.BigDecimal;

/**
 * Event of the Order Service: an order was created, PENDING. Immutable.
 *
 * @param orderId the order
 * @param customerId the customer
 * @param amount the order's amount
 */
public record OrderCreated(String orderId, String customerId, BigDecimal amount) {
}
