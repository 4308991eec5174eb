package dev.sagaflow.examples.crash;

import java.math.BigDecimal;

/**
 * The checkout saga's data. Immutable.
 *
 * @param orderId the order being checked out
 * @param amount what to charge
 */
public record Checkout(String orderId, BigDecimal amount) {
}
