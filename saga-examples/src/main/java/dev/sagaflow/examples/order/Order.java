package dev.sagaflow.examples.order;

import java.math.BigDecimal;

/**
 * An order as the Order Service stores it. Immutable.
 *
 * @param id the order id
 * @param customerId the customer who placed it
 * @param amount what it costs
 * @param status where it is
 * @param sagaId the saga that settles it, or {@code null} if none was started (yet)
 */
public record Order(String id, String customerId, BigDecimal amount, OrderStatus status, String sagaId) {
}
