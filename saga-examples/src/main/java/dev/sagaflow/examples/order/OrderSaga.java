package dev.sagaflow.examples.order;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.StepContext;
import dev.sagaflow.examples.order.messages.CreditReserved;
import dev.sagaflow.examples.order.messages.ReleaseCredit;
import dev.sagaflow.examples.order.messages.ReserveCredit;
import dev.sagaflow.examples.support.MessageChannel;
import java.time.Duration;

/**
 * The order saga:
 *
 * <ol>
 *   <li>{@value #CREATE_PENDING_ORDER}: the order exists, PENDING (the Order Service created it before
 *       starting the saga, so this only makes sure); compensation: reject the order;</li>
 *   <li>{@value #RESERVE_CREDIT}: send {@link ReserveCredit} to the Customer Service and wait for the
 *       reply; a {@code CreditLimitExceeded} reply fails the step; compensation (only if the credit may
 *       have been reserved): send {@link ReleaseCredit};</li>
 *   <li>{@value #APPROVE_ORDER}, the pivot: approve the order.</li>
 * </ol>
 */
public final class OrderSaga {
    /** The saga's name. */
    public static final String NAME = "order-saga";
    /** Step 1. */
    public static final String CREATE_PENDING_ORDER = "create-pending-order";
    /** Step 2, awaiting the Customer Service's reply. */
    public static final String RESERVE_CREDIT = "reserve-credit";
    /** Step 3, the pivot. */
    public static final String APPROVE_ORDER = "approve-order";

    /** How long the saga waits for the Customer Service before it gives the order up. */
    static final Duration CREDIT_REPLY_TIMEOUT = Duration.ofSeconds(30);

    private OrderSaga() {
    }

    /** The definition, acting on {@code orders} and sending commands to {@code customerCommands}. */
    public static SagaDefinition<OrderSagaData> definition(OrderRepository orders, MessageChannel customerCommands) {
        return Saga.define(NAME, OrderSagaData.class)
                .step(CREATE_PENDING_ORDER)
                    .action((order, context) -> createPending(orders, order))
                    .compensation((order, context) -> reject(orders, order))
                .step(RESERVE_CREDIT)
                    .action((order, context) -> sendReserveCredit(customerCommands, order, context))
                    .awaitReply(CreditReserved.class, (order, reply) -> order.withReservation(reply.reservationId()))
                    .timeout(CREDIT_REPLY_TIMEOUT)
                    .compensation((order, context) -> sendReleaseCredit(customerCommands, order, context))
                .pivot(APPROVE_ORDER)
                    .action((order, context) -> approve(orders, order))
                .build();
    }

    private static OrderSagaData createPending(OrderRepository orders, OrderSagaData order) {
        orders.createPending(order.orderId(), order.customerId(), order.amount());
        return order;
    }

    private static OrderSagaData reject(OrderRepository orders, OrderSagaData order) {
        orders.reject(order.orderId());
        return order;
    }

    private static OrderSagaData sendReserveCredit(MessageChannel channel, OrderSagaData order, StepContext context) {
        channel.send(new ReserveCredit(context.correlationId(), context.idempotencyKey(), order.orderId(),
                order.customerId(), order.amount()));
        return order;
    }

    private static OrderSagaData sendReleaseCredit(MessageChannel channel, OrderSagaData order, StepContext context) {
        // The compensation's context carries the action's key as its correlation id.
        channel.send(new ReleaseCredit(context.correlationId(), order.orderId(), order.customerId()));
        return order;
    }

    private static OrderSagaData approve(OrderRepository orders, OrderSagaData order) {
        orders.approve(order.orderId());
        return order;
    }
}
