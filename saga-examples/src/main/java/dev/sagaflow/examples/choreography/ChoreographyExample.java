package dev.sagaflow.examples.choreography;

import dev.sagaflow.examples.customer.CreditLedger;
import dev.sagaflow.examples.order.Order;
import dev.sagaflow.examples.order.OrderExample;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.MessageChannel;
import dev.sagaflow.examples.support.Timeline;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The choreographed order flow: two services, each with its own in-memory H2 database, and two event
 * channels, with the same customer and credit limit as {@link OrderExample}. Not thread-safe to start
 * and close; {@link #placeOrder} may be called from many threads.
 */
public final class ChoreographyExample implements AutoCloseable {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Database orderDatabase = Database.inMemory("order-service");
    private final Database customerDatabase = Database.inMemory("customer-service");
    private final MessageChannel orderEvents;
    private final MessageChannel customerEvents;
    private final CreditLedger ledger;
    private final EventDrivenOrderService orderService;

    private ChoreographyExample(Timeline timeline) {
        this.orderEvents = new MessageChannel("order-events", timeline);
        this.customerEvents = new MessageChannel("customer-events", timeline);
        this.ledger = new CreditLedger(customerDatabase);
        ledger.openAccount(OrderExample.CUSTOMER_ID, OrderExample.CUSTOMER_NAME, OrderExample.CREDIT_LIMIT);
        new EventDrivenCustomerService(ledger, orderEvents, customerEvents, timeline);
        this.orderService = new EventDrivenOrderService(orderDatabase, orderEvents, customerEvents, timeline);
    }

    /** Starts both services. */
    public static ChoreographyExample start(Timeline timeline) {
        return new ChoreographyExample(timeline);
    }

    /**
     * Places an order and waits until it is APPROVED or REJECTED.
     *
     * @throws TimeoutException if it is not settled within 30 s
     */
    public Order placeOrder(String customerId, BigDecimal amount)
            throws InterruptedException, ExecutionException, TimeoutException {
        return orderService.placeOrder(customerId, amount).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The Customer Service's ledger, to read balances. */
    public CreditLedger credit() {
        return ledger;
    }

    /** The channel the Order Service publishes on. */
    public MessageChannel orderEvents() {
        return orderEvents;
    }

    /** Stops the channels and drops both databases. */
    @Override
    public void close() {
        orderEvents.close();
        customerEvents.close();
        orderDatabase.close();
        customerDatabase.close();
    }
}
