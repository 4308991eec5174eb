package dev.sagaflow.examples.customer;

import java.math.BigDecimal;

/**
 * The recorded outcome of one credit request, keyed by the request's idempotency key. Immutable.
 *
 * @param key the idempotency key of the request that made it
 * @param reservationId the reservation's id, or {@code null} when it was rejected or released unreserved
 * @param customerId the customer
 * @param orderId the order it is for
 * @param amount the amount asked for
 * @param status what became of the request
 * @param reason why it was rejected, or {@code null}
 * @param repeated {@code true} when the request had been seen before and nothing new was done
 */
public record Reservation(String key, String reservationId, String customerId, String orderId, BigDecimal amount,
        Status status, String reason, boolean repeated) {

    /** What became of a credit request. */
    public enum Status {
        /** The credit is held for the order. */
        RESERVED,
        /** The customer's available credit was too low (or there is no such customer). */
        REJECTED,
        /** The credit was given back, or the release came before the request, which then has no effect. */
        RELEASED
    }

    Reservation asRepeated() {
        return new Reservation(key, reservationId, customerId, orderId, amount, status, reason, true);
    }
}
