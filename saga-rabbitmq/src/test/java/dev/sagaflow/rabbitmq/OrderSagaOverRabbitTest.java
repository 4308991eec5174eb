package dev.sagaflow.rabbitmq;

import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
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

    /** The saga data. */
    public record Order(String id, long cents, boolean flagged, List<String> marks) {
        public Order {
            marks = List.copyOf(marks);
        }

        Order mark(String mark) {
            List<String> next = new ArrayList<>(marks);
            next.add(mark);
            return new Order(id, cents, flagged, next);
        }
    }

    /** What the order service sends the customer service. */
    public record CreditCommand(String type, String order, long cents) {
    }

    /** The customer service's success reply. */
    public record CreditReserved(String reservationId) {
    }

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

    private static SagaDefinition<Order> orderSaga(String commands) {
        return Saga.define("order-over-rabbitmq", Order.class)
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
        SagaDefinition<Order> saga = orderSaga(commands);
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
        long flaggedAndReserved = outcomes.values().stream()
                .filter(o -> o.data().flagged() && o.data().marks().stream().anyMatch(m -> m.startsWith("reserved")))
                .count();
        eventually(() -> ledgerLines("released").size() == flaggedAndReserved, Duration.ofSeconds(20));

        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, SagaOutcome<Order>> entry : outcomes.entrySet()) {
            String order = entry.getKey();
            SagaOutcome<Order> outcome = entry.getValue();
            long reserved = ledgerLines("reserved").stream().filter(l -> l.endsWith(" " + order)).count();
            long released = ledgerLines("released").stream().filter(l -> l.endsWith(" " + order)).count();
            long refused = ledgerLines("refused").stream().filter(l -> l.endsWith(" " + order)).count();
            boolean approved = outcome.data().marks().contains("approved");
            if (outcome.status() == SagaStatus.COMPLETED) {
                check(violations, approved && reserved == 1 && released == 0 && refused == 0, order,
                        "COMPLETED needs one reservation, none released", outcome, reserved, released, refused);
            } else if (outcome.status() == SagaStatus.COMPENSATED && refused == 1) {
                check(violations, reserved == 0 && released == 0 && !approved, order,
                        "refused credit: nothing reserved, nothing to release", outcome, reserved, released, refused);
            } else if (outcome.status() == SagaStatus.COMPENSATED) {
                check(violations, outcome.data().flagged() && reserved == 1 && released == 1 && !approved, order,
                        "a flagged order: its reservation released once", outcome, reserved, released, refused);
            } else {
                violations.add(order + " ended " + outcome.status() + ": " + outcome.error());
            }
        }
        assertThat(violations).isEmpty();
        long completed = outcomes.values().stream().filter(o -> o.status() == SagaStatus.COMPLETED).count();
        assertThat(completed).as("orders within the credit limit complete").isPositive()
                .isLessThanOrEqualTo(CREDIT_LIMIT / ORDER_CENTS);
        assertThat(ledgerLines("refused")).as("the limit was reached, so some orders were refused").isNotEmpty();
        assertThat(store.failedOutbox(10)).isEmpty();
    }

    private static void check(List<String> violations, boolean holds, String order, String rule,
            SagaOutcome<Order> outcome, long reserved, long released, long refused) {
        if (!holds) {
            violations.add(order + " " + outcome.status() + " " + outcome.data().marks() + ": " + rule + "; ledger has "
                    + reserved + " reserved, " + released + " released, " + refused + " refused");
        }
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
