package dev.sagaflow.examples.choreography;

/**
 * Event of the Order Service, and the compensating event of this flow: an order was rejected, so
 * whatever was held for it must be given back. Immutable.
 *
 * @param orderId the order
 * @param customerId the customer
 * @param reason why
 */
public record OrderRejected(String orderId, String customerId, String reason) {
}
