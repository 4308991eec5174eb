package dev.sagaflow.examples.order;

import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.examples.order.messages.CreditLimitExceeded;
import dev.sagaflow.examples.order.messages.CreditReserved;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.MessageChannel;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.jdbc.JdbcSagaStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.UUID;

/**
 * The Order Service: it owns the {@code orders} table and, in the same database, the saga store, and
 * it runs the orchestrator of the {@link OrderSaga}. It sends commands to the Customer Service on one
 * channel and hands the replies that come back on another to the orchestrator. Thread-safe.
 */
public final class OrderService implements AutoCloseable {
    private static final String WHO = "Order Service";

    private final OrderRepository orders;
    private final SagaDefinition<OrderSagaData> saga;
    private final SagaOrchestrator orchestrator;
    private final Timeline timeline;

    /**
     * Creates its tables if missing, starts its orchestrator (which resumes any unfinished order
     * saga in {@code database}) and subscribes to {@code customerReplies}.
     */
    public OrderService(Database database, MessageChannel customerCommands, MessageChannel customerReplies,
            Timeline timeline) {
        this.timeline = timeline;
        this.orders = new OrderRepository(database);
        this.saga = OrderSaga.definition(orders, customerCommands);
        JdbcSagaStore store = JdbcSagaStore.builder(database.dataSource()).createSchemaIfMissing(true).build();
        this.orchestrator = SagaOrchestrator.builder(store)
                .register(saga)
                .nodeId("order-service")
                .listener(timeline)
                .build();
        customerReplies.subscribe(CreditReserved.class,
                reply -> deliver(SagaReply.successForCorrelationId(reply.correlationId(), reply)));
        customerReplies.subscribe(CreditLimitExceeded.class,
                reply -> deliver(SagaReply.failureForCorrelationId(reply.correlationId(), reply.reason())));
    }

    /**
     * Creates the order PENDING and starts its saga; returns at once, while the saga goes on.
     *
     * @throws IllegalArgumentException if the customer id is blank, or the amount is not positive or
     *     has more than two decimals
     */
    public PlacedOrder placeOrder(String customerId, BigDecimal amount) {
        if (customerId == null || customerId.isBlank()) {
            throw new IllegalArgumentException("customerId is required");
        }
        BigDecimal price = checkAmount(amount);
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        orders.createPending(orderId, customerId, price);
        SagaExecution<OrderSagaData> execution =
                orchestrator.start(saga, OrderSagaData.forOrder(orderId, customerId, price), orderId);
        orders.attachSaga(orderId, execution.sagaId());
        timeline.note(WHO, "order " + orderId + " for " + price + " by " + customerId + " is PENDING; saga "
                + Timeline.shortId(execution.sagaId()) + " started");
        return new PlacedOrder(orders.find(orderId).orElseThrow(), execution);
    }

    private static BigDecimal checkAmount(BigDecimal amount) {
        if (amount == null || amount.signum() <= 0) {
            throw new IllegalArgumentException("amount must be > 0, was " + amount);
        }
        try {
            return amount.setScale(2, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount must have at most two decimals, was " + amount, e);
        }
    }

    /** The order and its saga (status, steps, history), if the order exists. */
    public Optional<OrderView> findOrder(String orderId) {
        Optional<Order> first = orders.find(orderId);
        if (first.isEmpty()) {
            return Optional.empty();
        }
        String sagaId = first.get().sagaId();
        Optional<SagaInfo> saga = sagaId == null ? Optional.empty() : orchestrator.find(sagaId);
        // The order is read again after its saga: the two live in different databases, and a saga seen
        // finished has committed its change to the order, so this read cannot show an older order.
        return orders.find(orderId).map(order -> new OrderView(order, saga));
    }

    /** The orchestrator, for operators' calls (list, retry, abort). */
    public SagaOrchestrator orchestrator() {
        return orchestrator;
    }

    /** Stops the orchestrator; unfinished sagas stay in the store. */
    @Override
    public void close() {
        orchestrator.close();
    }

    /** Hands a Customer Service reply to the waiting step. A duplicate or late reply is acknowledged and dropped. */
    private void deliver(SagaReply reply) {
        try {
            orchestrator.reply(reply);
        } catch (ReplyRejectedException e) {
            timeline.note(WHO, "dropped a reply the saga no longer waits for: " + e.getMessage());
        }
    }
}
