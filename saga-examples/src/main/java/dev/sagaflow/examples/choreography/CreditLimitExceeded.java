package dev.sagaflow.examples.choreography;

/**
 * Event of the Customer Service: the customer's credit does not cover an order. Immutable.
 *
 * @param orderId the order
 * @param reason why
 */
public record CreditLimitExceeded(String orderId, String reason) {
}
