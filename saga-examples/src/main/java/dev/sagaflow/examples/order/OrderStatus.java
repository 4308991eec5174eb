package dev.sagaflow.examples.order;

/** Where an order is. PENDING until its saga approves or rejects it. */
public enum OrderStatus {
    /** Created; its credit is not settled yet. */
    PENDING,
    /** The customer's credit covers it. Final. */
    APPROVED,
    /** The customer's credit did not cover it, or the saga rolled back. Final. */
    REJECTED
}
