package dev.sagaflow.rabbitmq.example;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.rabbitmq.example.OrderSaga.Order;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The order service's main: starts the customer service ({@link CustomerServiceMain}) as a second JVM that shares
 * only RabbitMQ with this one, places {@link #ORDERS} one after another over the broker, prints each outcome and
 * the customer service's ledger, checks that they agree, and stops both. The broker is {@code
 * SAGAFLOW_RABBITMQ_URI} (default {@code amqp://guest:guest@127.0.0.1:5672}).
 *
 * <pre>mvn -q -pl saga-rabbitmq-example -am test-compile exec:java</pre>
 *
 * Exits with 1 if the broker does not answer (saying where it looked and how to start one) or if an outcome
 * disagrees with the ledger.
 */
public final class OrderServiceMain {
    /** The broker the example uses unless {@code SAGAFLOW_RABBITMQ_URI} names another. */
    public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";
    /** The customers' credit limits, in cents. */
    public static final Map<String, Long> CREDIT_LIMITS = Collections.unmodifiableMap(
            new TreeMap<>(Map.of("alice", 500_00L, "bob", 150_00L)));
    /**
     * The orders, placed one after another so that each sees the credit its predecessors left: three within the
     * limits, two over them (refused), and one held for fraud review after its credit was reserved (released).
     */
    public static final List<Order> ORDERS = List.of(
            Order.of("o-1", "alice", 200_00, false),
            Order.of("o-2", "bob", 120_00, false),
            Order.of("o-3", "alice", 250_00, false),
            Order.of("o-4", "bob", 80_00, false),
            Order.of("o-5", "alice", 100_00, false),
            Order.of("o-6", "bob", 30_00, true));

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private OrderServiceMain() {
    }

    /**
     * What one run of the example saw: every order's outcome, the customer service's ledger, the outcomes that
     * disagree with it (empty when all agree), and the queues it used (deleted by now).
     */
    public record Result(Map<String, SagaOutcome<Order>> outcomes, CustomerLedger ledger, List<String> disagreements,
            List<String> queues) {
    }

    public static void main(String[] args) throws Exception {
        String uri = System.getenv("SAGAFLOW_RABBITMQ_URI");
        uri = uri == null || uri.isBlank() ? DEFAULT_URI : uri;
        String problem = problem(uri);
        if (problem != null) {
            System.err.println("RabbitMQ does not answer at " + redacted(uri) + ": " + problem + "\nStart it"
                    + " (rabbitmq-server -detached, or docker run -d -p 5672:5672 rabbitmq:4) or point"
                    + " SAGAFLOW_RABBITMQ_URI at one, then run this again.");
            System.exit(1);
        }
        if (!run(uri, System.out).disagreements().isEmpty()) {
            System.exit(1);
        }
    }

    /**
     * Runs the example against the broker at {@code uri}, printing to {@code out}.
     *
     * @throws IllegalStateException if the customer service fails, or an order does not end within a minute
     */
    public static Result run(String uri, PrintStream out) throws Exception {
        ConnectionFactory rabbit = factory(uri);
        Map<String, SagaOutcome<Order>> outcomes = new LinkedHashMap<>();
        CustomerLedger ledger;
        List<String> queueNames;
        out.println("RabbitMQ at " + redacted(uri) + "; order service: JDBC store and outbox on in-memory H2.");
        try (ExampleQueues queues = ExampleQueues.declare(rabbit);
                CustomerServiceProcess customers = CustomerServiceProcess.start(uri, queues.commands(),
                        queues.replies(), CREDIT_LIMITS)) {
            queueNames = List.of(queues.commands(), queues.replies());
            out.println("Customer service started as a second JVM (pid " + customers.pid() + "); commands on "
                    + queues.commands() + ", replies on " + queues.replies() + ".");
            try (OrderService orders = OrderService.start(rabbit, queues)) {
                for (Order order : ORDERS) {
                    SagaOutcome<Order> outcome = orders.place(order).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    outcomes.put(order.id(), outcome);
                    out.println(describe(outcome));
                }
                // The release-credit commands are sent after their sagas ended: let them all reach the broker.
                orders.awaitOutboxSent(PATIENCE);
                out.println("Outbox: " + orders.outbox() + " (every command confirmed by the broker)");
            }
            ledger = customers.stop(PATIENCE);
        }
        ledger.print(out);
        List<String> disagreements = ledger.disagreements(outcomes);
        if (disagreements.isEmpty()) {
            out.println("Every order's outcome agrees with the customer service's ledger. Both services stopped;"
                    + " queues deleted.");
        } else {
            out.println("Outcomes that disagree with the customer service's ledger:");
            disagreements.forEach(d -> out.println("  " + d));
        }
        return new Result(outcomes, ledger, disagreements, queueNames);
    }

    private static String describe(SagaOutcome<Order> outcome) {
        Order order = outcome.data();
        String why = outcome.isCompleted() ? order.state() + ", credit reserved (" + order.reservationId() + ")"
                : order.state() + ": " + outcome.error()
                        + (order.reservationId() == null ? "" : "; credit released by a release-credit command");
        return String.format("  %-4s %-6s %8s  %-11s %s", order.id(), order.customer(),
                CustomerLedger.money(order.cents()), outcome.status(), why);
    }

    /** Why the broker at {@code uri} cannot be reached, or {@code null} if it answers. */
    static String problem(String uri) {
        try (Connection connection = factory(uri).newConnection("sagaflow-example-probe")) {
            return connection.isOpen() ? null : "the connection closed at once";
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static ConnectionFactory factory(String uri) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(URI.create(uri));
        } catch (Exception e) {
            throw new IllegalArgumentException("not an AMQP URI: " + redacted(uri), e);
        }
        factory.setConnectionTimeout(3_000);
        return factory;
    }

    /** {@code uri} without its password. */
    static String redacted(String uri) {
        return uri.replaceFirst("(amqps?://[^:@/]*):[^@/]*@", "$1:***@");
    }
}
