package dev.sagaflow.rabbitmq.example;

import com.rabbitmq.client.ConnectionFactory;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.messaging.OutboxRelay;
import dev.sagaflow.rabbitmq.RabbitMessageSender;
import dev.sagaflow.rabbitmq.RabbitReplyListener;
import dev.sagaflow.rabbitmq.example.OrderSaga.Order;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The order service: the order saga's orchestrator on the JDBC store on an embedded in-memory H2 database (so a
 * command goes into the store's outbox table in the same transaction as the step's checkpoint), an {@link
 * OutboxRelay} that publishes the outbox through a {@link RabbitMessageSender} (publisher confirms), and a {@link
 * RabbitReplyListener} that hands the customer service's replies to the orchestrator (manual acks). {@link
 * #close()} stops them in reverse order and drops the database. Thread-safe.
 */
final class OrderService implements AutoCloseable {
    private final JdbcConnectionPool database;
    private final JdbcSagaStore store;
    private final SagaDefinition<Order> saga;
    private final SagaOrchestrator orchestrator;
    private final RabbitMessageSender sender;
    private final OutboxRelay relay;
    private final RabbitReplyListener listener;

    private OrderService(ConnectionFactory rabbit, ExampleQueues queues) {
        database = JdbcConnectionPool.create("jdbc:h2:mem:sagaflow-example-orders-"
                + UUID.randomUUID().toString().substring(0, 8) + ";DB_CLOSE_DELAY=-1", "sa", "");
        store = JdbcSagaStore.builder(database).createSchemaIfMissing(true).build();
        saga = OrderSaga.definition(queues.commands());
        orchestrator = SagaOrchestrator.builder(store).register(saga).nodeId("order-service").build();
        sender = RabbitMessageSender.builder(rabbit).connectionName("sagaflow-example-order-service").build();
        relay = OutboxRelay.builder(store, sender).pollInterval(Duration.ofMillis(50)).build();
        listener = RabbitReplyListener.builder(rabbit, queues.replies(), orchestrator).build();
    }

    /** Starts the order service: its relay publishes the outbox, its listener consumes {@code queues.replies()}. */
    static OrderService start(ConnectionFactory rabbit, ExampleQueues queues) {
        OrderService service = new OrderService(rabbit, queues);
        service.relay.start();
        service.listener.start();
        return service;
    }

    /** Places an order: starts its saga, keyed by the order id, and returns its outcome to come. */
    CompletableFuture<SagaOutcome<Order>> place(Order order) {
        return orchestrator.start(saga, order, order.id()).outcome();
    }

    /** How many outbox messages are in each status (PENDING, SENT, FAILED), read from the outbox table. */
    Map<String, Long> outbox() {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT status, COUNT(*) FROM " + store.tablePrefix()
                        + "outbox GROUP BY status")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the outbox table", e);
        }
        return counts;
    }

    /**
     * Waits until no outbox message is pending: every command written so far was confirmed by the broker (or
     * refused for good).
     *
     * @throws IllegalStateException if some are still pending after {@code timeout}
     */
    void awaitOutboxSent(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (outbox().getOrDefault("PENDING", 0L) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("outbox messages still pending after " + timeout + ": " + outbox());
            }
            relay.wakeUp();
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        listener.close();
        relay.close();
        sender.close();
        orchestrator.close();
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN");
        } catch (SQLException e) {
            // already gone: nothing to free
        }
        database.dispose();
    }
}
