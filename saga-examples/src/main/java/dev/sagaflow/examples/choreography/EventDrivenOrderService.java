package dev.sagaflow.examples.choreography;

import dev.sagaflow.examples.order.Order;
import dev.sagaflow.examples.order.OrderRepository;
import dev.sagaflow.examples.order.OrderStatus;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.MessageChannel;
import dev.sagaflow.examples.support.Timeline;
import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Order Service of the choreography: it creates an order PENDING and publishes
 * {@link OrderCreated}; on {@link CreditReserved} it approves the order and publishes
 * {@link OrderApproved}; on {@link CreditLimitExceeded} it rejects it and publishes
 * {@link OrderRejected}. Credit reserved for an order that is already rejected is given back by
 * publishing {@link OrderRejected} again. Thread-safe.
 */
public final class EventDrivenOrderService {
    private static final String WHO = "Order Service";

    private final OrderRepository orders;
    private final MessageChannel orderEvents;
    private final Timeline timeline;
    private final Map<String, CompletableFuture<Order>> settled = new ConcurrentHashMap<>();

    /** Publishes on {@code orderEvents}; subscribes to {@code customerEvents}. */
    public EventDrivenOrderService(Database database, MessageChannel orderEvents, MessageChannel customerEvents,
            Timeline timeline) {
        this.orders = new OrderRepository(database);
        this.orderEvents = orderEvents;
        this.timeline = timeline;
        customerEvents.subscribe(CreditReserved.class, this::onCreditReserved);
        customerEvents.subscribe(CreditLimitExceeded.class, this::onCreditLimitExceeded);
    }

    /**
     * Creates the order PENDING and publishes {@link OrderCreated}. The returned future completes with
     * the order once it is APPROVED or REJECTED (in this process).
     */
    public CompletableFuture<Order> placeOrder(String customerId, BigDecimal amount) {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        CompletableFuture<Order> outcome = new CompletableFuture<>();
        settled.put(orderId, outcome);
        orders.createPending(orderId, customerId, amount);
        timeline.note(WHO, "order " + orderId + " for " + amount + " by " + customerId + " is PENDING");
        orderEvents.send(new OrderCreated(orderId, customerId, amount));
        return outcome.copy();
    }

    void onCreditReserved(CreditReserved event) {
        Order order = orders.find(event.orderId()).orElseThrow();
        if (order.status() == OrderStatus.REJECTED) {
            timeline.note(WHO, order.id() + " is already REJECTED: asking for its credit back");
            orderEvents.send(new OrderRejected(order.id(), order.customerId(), "order already rejected"));
            return;
        }
        orders.approve(order.id());
        timeline.note(WHO, order.id() + " APPROVED");
        orderEvents.send(new OrderApproved(order.id()));
        settle(order.id());
    }

    void onCreditLimitExceeded(CreditLimitExceeded event) {
        Order order = orders.find(event.orderId()).orElseThrow();
        orders.reject(order.id());
        timeline.note(WHO, order.id() + " REJECTED: " + event.reason());
        orderEvents.send(new OrderRejected(order.id(), order.customerId(), event.reason()));
        settle(order.id());
    }

    private void settle(String orderId) {
        CompletableFuture<Order> outcome = settled.remove(orderId);
        if (outcome != null) {
            outcome.complete(orders.find(orderId).orElseThrow());
        }
    }
}
