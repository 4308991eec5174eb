package dev.sagaflow.examples.choreography;

/**
 * Event of the Customer Service: credit is held for an order. Immutable.
 *
 * @param orderId the order
 * @param reservationId the reservation
 */
public record CreditReserved(String orderId, String reservationId) {
}
