package dev.sagaflow.examples.order.messages;

/**
 * Command to the Customer Service: give back the credit held by the {@link ReserveCredit} with this
 * idempotency key, if any. One-way: no reply. Immutable.
 *
 * @param reservationKey the idempotency key of the {@link ReserveCredit} to undo
 * @param orderId the order
 * @param customerId the customer
 */
public record ReleaseCredit(String reservationKey, String orderId, String customerId) {
}
