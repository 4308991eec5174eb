package dev.sagaflow.examples.boot;

import java.math.BigDecimal;

/**
 * A row of the {@code orders} table. Immutable.
 *
 * @param id the order
 * @param customerId the customer
 * @param amount the order's total
 * @param status {@code PENDING} while its saga runs, then {@code APPROVED} or {@code REJECTED}
 */
public record Order(String id, String customerId, BigDecimal amount, String status) {
    /** The status of an order whose saga runs. */
    public static final String PENDING = "PENDING";
    /** The status of an order whose credit is reserved. */
    public static final String APPROVED = "APPROVED";
    /** The status of an order whose saga compensated. */
    public static final String REJECTED = "REJECTED";
}
