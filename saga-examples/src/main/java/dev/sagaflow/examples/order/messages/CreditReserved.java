package dev.sagaflow.examples.order.messages;

/**
 * Reply from the Customer Service: the credit is held. Immutable.
 *
 * @param correlationId the {@link ReserveCredit#correlationId()} it answers
 * @param reservationId the Customer Service's id for the reservation
 */
public record CreditReserved(String correlationId, String reservationId) {
}
