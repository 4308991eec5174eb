package dev.sagaflow.examples.order;

import dev.sagaflow.examples.customer.CreditLedger;
import dev.sagaflow.examples.order.customer.CustomerService;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.MessageChannel;
import dev.sagaflow.examples.support.Timeline;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * The order saga's world: the Order Service and the Customer Service, each with its own in-memory H2
 * database behind a connection pool, and two channels between them (commands one way, replies the
 * other). Customer {@value #CUSTOMER_ID} ({@value #CUSTOMER_NAME}) has a credit limit of
 * {@link #CREDIT_LIMIT}. Not thread-safe to start and close; the services are.
 */
public final class OrderExample implements AutoCloseable {
    /** The customer the demo orders for. */
    public static final String CUSTOMER_ID = "c-1";
    /** Her name. */
    public static final String CUSTOMER_NAME = "Ada";
    /** Her credit limit. */
    public static final BigDecimal CREDIT_LIMIT = new BigDecimal("100.00");

    private final Database orderDatabase;
    private final Database customerDatabase;
    private final MessageChannel customerCommands;
    private final MessageChannel customerReplies;
    private final CustomerService customerService;
    private final OrderService orderService;
    private OrderHttpApi http;

    private OrderExample(Timeline timeline) {
        this.orderDatabase = Database.inMemory("order-service");
        this.customerDatabase = Database.inMemory("customer-service");
        this.customerCommands = new MessageChannel("customer-commands", timeline);
        this.customerReplies = new MessageChannel("customer-replies", timeline);
        CreditLedger ledger = new CreditLedger(customerDatabase);
        ledger.openAccount(CUSTOMER_ID, CUSTOMER_NAME, CREDIT_LIMIT);
        this.customerService = new CustomerService(ledger, customerCommands, customerReplies, timeline);
        this.orderService = new OrderService(orderDatabase, customerCommands, customerReplies, timeline);
    }

    /** Starts both services, with {@value #CUSTOMER_ID}'s account open. */
    public static OrderExample start(Timeline timeline) {
        return new OrderExample(timeline);
    }

    /** The Order Service. */
    public OrderService orders() {
        return orderService;
    }

    /** The Customer Service's credit ledger (to read balances; the Order Service never does). */
    public CreditLedger credit() {
        return customerService.ledger();
    }

    /** The channel the Order Service sends Customer Service commands on. */
    public MessageChannel customerCommands() {
        return customerCommands;
    }

    /**
     * Serves the Order Service's HTTP API on {@code port} ({@code 0}: any free port). Closed with this example.
     *
     * @throws IOException if the port cannot be bound
     * @throws IllegalStateException if it is already served
     */
    public OrderHttpApi serveHttp(int port) throws IOException {
        if (http != null) {
            throw new IllegalStateException("the HTTP API is already served on port " + http.port());
        }
        http = OrderHttpApi.start(orderService, port);
        return http;
    }

    /** Stops the HTTP API, the orchestrator, the channels, and drops both databases. */
    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        orderService.close();
        customerCommands.close();
        customerReplies.close();
        orderDatabase.close();
        customerDatabase.close();
    }
}
