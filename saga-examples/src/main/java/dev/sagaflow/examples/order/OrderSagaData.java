package dev.sagaflow.examples.order;

import java.math.BigDecimal;

/**
 * The data the order saga carries from step to step, stored as JSON after every step. Immutable.
 *
 * @param orderId the order
 * @param customerId the customer
 * @param amount the order's amount
 * @param reservationId the Customer Service's reservation, once the credit is held
 */
public record OrderSagaData(String orderId, String customerId, BigDecimal amount, String reservationId) {

    /** The data for a new order: no reservation yet. */
    public static OrderSagaData forOrder(String orderId, String customerId, BigDecimal amount) {
        return new OrderSagaData(orderId, customerId, amount, null);
    }

    /** This data with the reservation the Customer Service made. */
    public OrderSagaData withReservation(String id) {
        return new OrderSagaData(orderId, customerId, amount, id);
    }
}
