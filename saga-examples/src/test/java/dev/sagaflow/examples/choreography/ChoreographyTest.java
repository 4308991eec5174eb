package dev.sagaflow.examples.choreography;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.examples.customer.Reservation;
import dev.sagaflow.examples.order.Order;
import dev.sagaflow.examples.order.OrderExample;
import dev.sagaflow.examples.order.OrderStatus;
import dev.sagaflow.examples.support.Timeline;
import java.math.BigDecimal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChoreographyTest {
    private final ChoreographyExample example = ChoreographyExample.start(Timeline.silent());

    @AfterEach
    void close() {
        example.close();
    }

    @Test
    void an_order_within_the_credit_limit_is_approved_by_events_alone() throws Exception {
        Order order = example.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("60.00"));

        assertThat(order.status()).isEqualTo(OrderStatus.APPROVED);
        assertThat(example.credit().availableCredit(OrderExample.CUSTOMER_ID)).isEqualByComparingTo("40.00");
    }

    @Test
    void an_order_over_the_available_credit_is_rejected_and_the_credit_is_unchanged() throws Exception {
        example.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("60.00"));

        Order order = example.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("75.00"));

        assertThat(order.status()).isEqualTo(OrderStatus.REJECTED);
        assertThat(example.credit().availableCredit(OrderExample.CUSTOMER_ID)).isEqualByComparingTo("40.00");
        assertThat(example.credit().reservationsFor(order.id())).extracting(Reservation::status)
                .containsExactly(Reservation.Status.REJECTED);
    }

    @Test
    void the_compensating_order_rejected_event_gives_back_the_credit_held_for_the_order() throws Exception {
        Order approved = example.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("60.00"));

        example.orderEvents().send(new OrderRejected(approved.id(), OrderExample.CUSTOMER_ID, "returned"));
        // The channel delivers in order: once the next order is settled, the rejection was handled.
        example.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("10.00"));

        assertThat(example.credit().reservationsFor(approved.id())).extracting(Reservation::status)
                .containsExactly(Reservation.Status.RELEASED);
        assertThat(example.credit().availableCredit(OrderExample.CUSTOMER_ID)).isEqualByComparingTo("90.00");
    }

    @Test
    void a_redelivered_order_created_event_reserves_credit_once() throws Exception {
        Order approved = example.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("30.00"));

        example.orderEvents().send(new OrderCreated(approved.id(), OrderExample.CUSTOMER_ID, new BigDecimal("30.00")));
        example.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("10.00"));

        assertThat(example.credit().reservationsFor(approved.id())).hasSize(1);
        assertThat(example.credit().availableCredit(OrderExample.CUSTOMER_ID)).isEqualByComparingTo("60.00");
    }
}
