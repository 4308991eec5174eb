package dev.sagaflow.rabbitmq.example;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import java.time.Duration;

/**
 * The order saga with a command step: create the order PENDING; send "reserve-credit" to the customer service and
 * await its reply (compensated by a "release-credit" command); approve the order at the pivot, unless it is held for
 * fraud review (a business rejection: the credit is released and the order rejected). A refusal by the customer
 * service (over the credit limit) compensates the saga without a release, since nothing was reserved.
 */
public final class OrderSaga {
    /** The saga's name. */
    public static final String NAME = "rabbitmq-example-order";
    /** How long the reserve step waits for the customer service's reply before it compensates the saga. */
    public static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);

    private OrderSaga() {
    }

    /** The saga data: an order, its state, and its reservation once the customer service made one. Immutable. */
    public record Order(String id, String customer, long cents, boolean fraudHold, String state,
            String reservationId) {
        /** A new order, not yet PENDING. */
        public static Order of(String id, String customer, long cents, boolean fraudHold) {
            return new Order(id, customer, cents, fraudHold, "NEW", null);
        }

        Order withState(String next) {
            return new Order(id, customer, cents, fraudHold, next, reservationId);
        }

        Order reserved(String reservation) {
            return new Order(id, customer, cents, fraudHold, state, reservation);
        }
    }

    /** The command the order service sends the customer service: {@code type} is reserve-credit or release-credit. */
    public record CreditCommand(String type, String order, String customer, long cents) {
        /** The type of a command that reserves credit. */
        public static final String RESERVE = "reserve-credit";
        /** The type of a command that releases a reservation. */
        public static final String RELEASE = "release-credit";
    }

    /** The customer service's answer to a reserve-credit command it granted. */
    public record CreditReserved(String reservationId, long availableCents) {
    }

    /** The definition, sending its commands to the queue {@code commands}. */
    public static SagaDefinition<Order> definition(String commands) {
        return Saga.define(NAME, Order.class)
                .step("create-pending-order").action((order, context) -> order.withState("PENDING"))
                .compensation((order, context) -> order.withState("REJECTED"))
                .step("reserve-credit")
                .send(commands, (order, context) ->
                        new CreditCommand(CreditCommand.RESERVE, order.id(), order.customer(), order.cents()))
                .compensationSend(commands, (order, context) ->
                        new CreditCommand(CreditCommand.RELEASE, order.id(), order.customer(), order.cents()))
                .awaitReply(CreditReserved.class, (order, reply) -> order.reserved(reply.reservationId()))
                .timeout(REPLY_TIMEOUT)
                .pivot("approve-order").action((order, context) -> {
                    if (order.fraudHold()) {
                        throw new BusinessRejection("order " + order.id() + " is held for fraud review");
                    }
                    return order.withState("APPROVED");
                })
                .build();
    }
}
