package dev.sagaflow.examples.order.messages;

import java.math.BigDecimal;

/**
 * Command to the Customer Service: hold {@code amount} of the customer's credit for an order, and
 * answer with {@link CreditReserved} or {@link CreditLimitExceeded}. Immutable.
 *
 * @param correlationId to put on the reply, so that it reaches the saga step that is waiting
 * @param idempotencyKey the same for every copy of this command (redelivery, a re-run after a crash):
 *     the Customer Service reserves once per key
 * @param orderId the order
 * @param customerId the customer
 * @param amount the amount to hold
 */
public record ReserveCredit(String correlationId, String idempotencyKey, String orderId, String customerId,
        BigDecimal amount) {
}
