package dev.sagaflow.messaging;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The saga of the broker modules' reply tests: {@code reserve-credit} (its action records its correlation id, runs
 * a hook as a participant that answers at once would, and marks "credit requested") awaits a {@link
 * CreditReserved} reply, then the pivot {@code approve} marks "approved". Thread-safe.
 */
public final class CreditSaga {
    /** The reply's payload. */
    public record CreditReserved(String reservationId) {
    }

    /** The saga data: an order and the marks the steps left, in order. */
    public record Order(String id, List<String> marks) {
        public Order {
            marks = List.copyOf(marks);
        }

        public static Order of(String id) {
            return new Order(id, List.of());
        }

        public Order mark(String mark) {
            List<String> next = new ArrayList<>(marks);
            next.add(mark);
            return new Order(id, next);
        }
    }

    private final List<String> correlationIds = new CopyOnWriteArrayList<>();
    private volatile Runnable afterSending = () -> { };
    private final SagaDefinition<Order> definition = Saga.define("create-order", Order.class)
            .step("reserve-credit").action((order, context) -> {
                correlationIds.add(context.correlationId());
                afterSending.run();
                return order.mark("credit requested");
            })
            .awaitReply(CreditReserved.class, (order, reply) -> order.mark("reserved " + reply.reservationId()))
            .compensation((order, context) -> order.mark("released"))
            .timeout(Duration.ofSeconds(60))
            .pivot("approve").action((order, context) -> order.mark("approved"))
            .build();

    public SagaDefinition<Order> definition() {
        return definition;
    }

    /** The correlation ids the step's actions sent, in order. */
    public List<String> correlationIds() {
        return correlationIds;
    }

    /** Runs {@code hook} in the step's action after it "sent" its command, before it returns. */
    public void afterSending(Runnable hook) {
        this.afterSending = hook;
    }
}
