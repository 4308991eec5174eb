package dev.sagaflow.messaging;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The order saga of the broker modules' end-to-end tests, with a command step: create a pending order; send {@link
 * CreditCommand} "reserve" to the customer service and await {@link CreditReserved} (its compensation sends
 * "release"); approve at the pivot, unless the order is flagged (a business rejection, so the credit is released).
 * And the check of every outcome against the customer service's own ledger.
 */
public final class BrokerOrderSaga {
    /** The saga data. */
    public record Order(String id, long cents, boolean flagged, List<String> marks) {
        public Order {
            marks = List.copyOf(marks);
        }

        public Order mark(String mark) {
            List<String> next = new ArrayList<>(marks);
            next.add(mark);
            return new Order(id, cents, flagged, next);
        }
    }

    /** What the order service sends the customer service: {@code type} is "reserve" or "release". */
    public record CreditCommand(String type, String order, long cents) {
    }

    /** The customer service's success reply. */
    public record CreditReserved(String reservationId) {
    }

    /** What the customer service's ledger says of one order: how many times each effect was applied. */
    public record LedgerCounts(long reserved, long released, long refused) {
    }

    private BrokerOrderSaga() {
    }

    /** The definition, named {@code name}, sending its commands to {@code commands}. */
    public static SagaDefinition<Order> definition(String name, String commands) {
        return Saga.define(name, Order.class)
                .step("create-pending-order").action((order, context) -> order.mark("pending"))
                .compensation((order, context) -> order.mark("rejected"))
                .step("reserve-credit")
                .send(commands, (order, context) -> new CreditCommand("reserve", order.id(), order.cents()))
                .compensationSend(commands, (order, context) -> new CreditCommand("release", order.id(), order.cents()))
                .awaitReply(CreditReserved.class, (order, reply) -> order.mark("reserved " + reply.reservationId()))
                .timeout(Duration.ofSeconds(60))
                .pivot("approve-order").action((order, context) -> {
                    if (order.flagged()) {
                        throw new BusinessRejection("order " + order.id() + " was flagged");
                    }
                    return order.mark("approved");
                })
                .build();
    }

    /** How many flagged orders had their credit reserved: how many releases the customer service must apply. */
    public static long releasesDue(Map<String, SagaOutcome<Order>> outcomes) {
        return outcomes.values().stream()
                .filter(o -> o.data().flagged() && o.data().marks().stream().anyMatch(m -> m.startsWith("reserved")))
                .count();
    }

    /**
     * The outcomes that disagree with the customer service's ledger, each described; empty when all agree. A
     * COMPLETED order was approved, its credit reserved once and never released; a COMPENSATED one was either
     * refused (nothing reserved, nothing released: a participant's "no" is not compensated) or flagged (reserved
     * once, released once); nothing else ends.
     */
    public static List<String> violations(Map<String, SagaOutcome<Order>> outcomes,
            java.util.function.Function<String, LedgerCounts> ledger) {
        List<String> violations = new ArrayList<>();
        outcomes.forEach((order, outcome) -> {
            LedgerCounts counts = ledger.apply(order);
            boolean approved = outcome.data().marks().contains("approved");
            boolean holds = outcome.status() == SagaStatus.COMPLETED
                    ? approved && counts.reserved() == 1 && counts.released() == 0 && counts.refused() == 0
                    : outcome.status() == SagaStatus.COMPENSATED && !approved && (counts.refused() == 1
                            ? counts.reserved() == 0 && counts.released() == 0
                            : outcome.data().flagged() && counts.reserved() == 1 && counts.released() == 1);
            if (!holds) {
                violations.add(order + " " + outcome.status() + " " + outcome.data().marks() + " " + outcome.error()
                        + "; the customer service's ledger: " + counts);
            }
        });
        return violations;
    }
}
