package dev.sagaflow.examples.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.examples.customer.Reservation;
import dev.sagaflow.examples.order.messages.ReserveCredit;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.store.StepState;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OrderSagaTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final OrderExample example = OrderExample.start(Timeline.silent());

    @AfterEach
    void close() {
        example.close();
    }

    @Test
    void an_order_within_the_credit_limit_is_approved_and_its_credit_reserved() throws Exception {
        PlacedOrder placed = example.orders().placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("60.00"));

        SagaOutcome<OrderSagaData> outcome = placed.saga().await(PATIENCE);

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(outcome.data().reservationId()).startsWith("cr-");
        assertThat(statusOf(placed)).isEqualTo(OrderStatus.APPROVED);
        assertThat(example.credit().availableCredit(OrderExample.CUSTOMER_ID)).isEqualByComparingTo("40.00");
    }

    @Test
    void an_order_over_the_available_credit_is_rejected_and_the_credit_is_unchanged() throws Exception {
        example.orders().placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("60.00")).saga().await(PATIENCE);

        PlacedOrder placed = example.orders().placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("75.00"));
        SagaOutcome<OrderSagaData> outcome = placed.saga().await(PATIENCE);

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("credit limit exceeded");
        assertThat(statusOf(placed)).isEqualTo(OrderStatus.REJECTED);
        assertThat(example.credit().availableCredit(OrderExample.CUSTOMER_ID)).isEqualByComparingTo("40.00");
        assertThat(example.credit().reservationsFor(placed.order().id()))
                .extracting(Reservation::status).containsExactly(Reservation.Status.REJECTED);
    }

    @Test
    void the_rejected_order_has_its_pending_order_compensated_and_its_credit_step_failed() throws Exception {
        PlacedOrder placed = example.orders().placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("500.00"));
        placed.saga().await(PATIENCE);

        OrderView view = example.orders().findOrder(placed.order().id()).orElseThrow();

        assertThat(view.saga().orElseThrow().steps()).extracting(StepState::name, StepState::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple(OrderSaga.CREATE_PENDING_ORDER, StepStatus.COMPENSATED),
                org.assertj.core.groups.Tuple.tuple(OrderSaga.RESERVE_CREDIT, StepStatus.FAILED),
                org.assertj.core.groups.Tuple.tuple(OrderSaga.APPROVE_ORDER, StepStatus.PENDING));
    }

    @Test
    void an_unknown_customer_has_no_credit_so_the_order_is_rejected() throws Exception {
        PlacedOrder placed = example.orders().placeOrder("c-404", new BigDecimal("1.00"));

        assertThat(placed.saga().await(PATIENCE).status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(statusOf(placed)).isEqualTo(OrderStatus.REJECTED);
    }

    @Test
    void a_redelivered_reserve_credit_command_reserves_once_and_its_second_reply_is_dropped() throws Exception {
        PlacedOrder placed = example.orders().placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("30.00"));
        placed.saga().await(PATIENCE);
        String sagaId = placed.saga().sagaId();
        String key = sagaId + ":" + OrderSaga.RESERVE_CREDIT;

        example.customerCommands().send(new ReserveCredit(key, key, placed.order().id(), OrderExample.CUSTOMER_ID,
                new BigDecimal("30.00")));
        PlacedOrder next = example.orders().placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("10.00"));
        next.saga().await(PATIENCE);

        assertThat(example.credit().reservationsFor(placed.order().id())).hasSize(1);
        assertThat(example.credit().availableCredit(OrderExample.CUSTOMER_ID)).isEqualByComparingTo("60.00");
        assertThat(statusOf(placed)).isEqualTo(OrderStatus.APPROVED);
    }

    private OrderStatus statusOf(PlacedOrder placed) {
        return example.orders().findOrder(placed.order().id()).orElseThrow().order().status();
    }
}
