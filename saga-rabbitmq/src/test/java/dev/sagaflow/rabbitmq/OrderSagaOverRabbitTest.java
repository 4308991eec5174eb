package dev.sagaflow.rabbitmq;

import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.messaging.BrokerOrderSaga;
import dev.sagaflow.messaging.BrokerOrderSaga.LedgerCounts;
import dev.sagaflow.messaging.BrokerOrderSaga.Order;
import dev.sagaflow.messaging.OutboxRelay;
import dev.sagaflow.messaging.TcpProxy;
import dev.sagaflow.rabbitmq.support.CustomerService;
import dev.sagaflow.rabbitmq.support.RabbitBroker;
import dev.sagaflow.rabbitmq.support.RequiresRabbitMq;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order saga end to end over RabbitMQ with a command step: the order service (this JVM: orchestrator, outbox,
 * relay, reply listener) and the customer service ({@link CustomerService}, a second JVM) share only the broker.
 * The relay's connection is cut for a while in the middle. Afterwards every order's outcome is checked against the
 * customer service's own ledger.
 */
@RequiresRabbitMq
class OrderSagaOverRabbitTest {
    private static final long CREDIT_LIMIT = 2_000;
    private static final long ORDER_CENTS = 100;
    private static final int ORDERS = 30;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private RabbitBroker broker;
    private Process customerService;
    private Path ledger;

    @BeforeEach
    void connect() throws Exception {
        broker = RabbitBroker.connect();
        ledger = Files.createTempFile("customer-ledger", ".txt");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (customerService != null) {
            customerService.getOutputStream().close();
            if (!customerService.waitFor(10, TimeUnit.SECONDS)) {
                customerService.destroyForcibly();
            }
        }
        broker.close();
        Files.deleteIfExists(ledger);
    }

    private <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }

    private void startCustomerService(String commands, String replies) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        customerService = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CustomerService.class.getName(), RabbitBroker.URI_TEXT, commands, replies, String.valueOf(CREDIT_LIMIT),
                ledger.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(customerService.getInputStream(),
                StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.contains("customer service ready")) {
            // its start-up output
        }
        assertThat(line).as("the customer service started").isNotNull();
    }

    @Test
    void every_order_ends_as_the_customer_services_own_ledger_says_although_the_broker_was_unreachable_for_a_while()
            throws Exception {
        String commands = broker.queue("customer-commands");
        String replies = broker.queue("order-replies");
        startCustomerService(commands, replies);
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaDefinition<Order> saga = BrokerOrderSaga.definition("order-over-rabbitmq", commands);
        SagaOrchestrator orders = closing(SagaOrchestrator.builder(store).register(saga).build());
        TcpProxy proxy = closing(new TcpProxy(RabbitBroker.factory().getHost(), RabbitBroker.factory().getPort()));
        RabbitMessageSender sender = closing(RabbitMessageSender.builder(RabbitBroker.factoryThrough(proxy))
                .confirmTimeout(Duration.ofSeconds(2)).build());
        OutboxRelay relay = closing(OutboxRelay.builder(store, sender).pollInterval(Duration.ofMillis(20))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400)).build());
        RabbitReplyListener listener = closing(RabbitReplyListener.builder(RabbitBroker.factory(), replies, orders)
                .build());
        relay.start();
        listener.start();

        Map<String, SagaExecution<Order>> executions = new LinkedHashMap<>();
        for (int i = 0; i < ORDERS; i++) {
            if (i == ORDERS / 2) {
                proxy.cut();
            }
            String id = "o-" + i;
            executions.put(id, orders.start(saga, new Order(id, ORDER_CENTS, i % 7 == 3, List.of())));
        }
        Thread.sleep(1_000);
        proxy.restore();

        Map<String, SagaOutcome<Order>> outcomes = new LinkedHashMap<>();
        for (Map.Entry<String, SagaExecution<Order>> entry : executions.entrySet()) {
            outcomes.put(entry.getKey(), entry.getValue().outcome().get(60, TimeUnit.SECONDS));
        }
        // The release commands of compensated orders are sent after their sagas ended: wait for the ledger.
        long releasesDue = BrokerOrderSaga.releasesDue(outcomes);
        eventually(() -> ledgerLines("released").size() == releasesDue, Duration.ofSeconds(20));

        assertThat(BrokerOrderSaga.violations(outcomes, order -> new LedgerCounts(count("reserved", order),
                count("released", order), count("refused", order)))).isEmpty();
        long completed = outcomes.values().stream().filter(o -> o.status() == SagaStatus.COMPLETED).count();
        assertThat(completed).as("orders within the credit limit complete").isPositive()
                .isLessThanOrEqualTo(CREDIT_LIMIT / ORDER_CENTS);
        assertThat(ledgerLines("refused")).as("the limit was reached, so some orders were refused").isNotEmpty();
        assertThat(store.failedOutbox(10)).isEmpty();
    }

    private long count(String effect, String order) {
        return ledgerLines(effect).stream().filter(line -> line.endsWith(" " + order)).count();
    }

    /** The ledger's lines for one effect, as {@code <effect> <order>}. */
    private List<String> ledgerLines(String effect) {
        try {
            return Files.readAllLines(ledger).stream().map(line -> line.split(" "))
                    .filter(parts -> parts[1].equals(effect)).map(parts -> parts[1] + " " + parts[2]).toList();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
