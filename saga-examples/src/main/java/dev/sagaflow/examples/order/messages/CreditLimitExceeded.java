package dev.sagaflow.examples.order.messages;

/**
 * Reply from the Customer Service: the customer's available credit does not cover the order (a
 * customer without an account has none). Immutable.
 *
 * @param correlationId the {@link ReserveCredit#correlationId()} it answers
 * @param reason what the Customer Service says
 */
public record CreditLimitExceeded(String correlationId, String reason) {
}
