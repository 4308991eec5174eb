package dev.sagaflow.rabbitmq.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.rabbitmq.example.OrderSaga.Order;
import dev.sagaflow.rabbitmq.support.RabbitBroker;
import dev.sagaflow.rabbitmq.support.RequiresRabbitMq;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The example's main flow end to end against the real broker: the order service in this JVM, the customer service
 * in a second one. Every order's outcome is checked against the customer service's own ledger, order by order, and
 * the example's queues are gone afterwards.
 */
@RequiresRabbitMq
class OrderServiceMainTest {
    /** What the ledger must hold for each order: how many times it was reserved, refused, released. */
    private record Effects(long reserved, long refused, long released) {
    }

    @Test
    void every_order_ends_as_the_customer_services_ledger_says_and_the_queues_are_deleted() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        OrderServiceMain.Result result = OrderServiceMain.run(RabbitBroker.URI_TEXT,
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        Map<String, SagaStatus> statuses = new TreeMap<>();
        result.outcomes().forEach((order, outcome) -> statuses.put(order, outcome.status()));
        assertThat(statuses).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "o-1", SagaStatus.COMPLETED, "o-2", SagaStatus.COMPLETED, "o-3", SagaStatus.COMPLETED,
                "o-4", SagaStatus.COMPENSATED, "o-5", SagaStatus.COMPENSATED, "o-6", SagaStatus.COMPENSATED)));
        Map<String, Effects> expected = Map.of(
                "o-1", new Effects(1, 0, 0), "o-2", new Effects(1, 0, 0), "o-3", new Effects(1, 0, 0),
                "o-4", new Effects(0, 1, 0), "o-5", new Effects(0, 1, 0),
                "o-6", new Effects(1, 0, 1));
        CustomerLedger ledger = result.ledger();
        expected.forEach((order, effects) -> assertThat(new Effects(ledger.count(CustomerLedger.RESERVED, order),
                ledger.count(CustomerLedger.REFUSED, order), ledger.count(CustomerLedger.RELEASED, order)))
                .as("the ledger's effects on " + order).isEqualTo(effects));
        assertThat(ledger.accounts()).as("each customer's reservations are its approved orders")
                .allSatisfy(account -> assertThat(account.reservedCents())
                        .isEqualTo(approvedCents(result.outcomes(), account.customer())));
        assertThat(result.disagreements()).isEmpty();
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("o-1  alice    200.00  COMPLETED", "o-4  bob       80.00  COMPENSATED",
                        "credit limit exceeded", "held for fraud review", "Customer service's ledger:",
                        "Every order's outcome agrees");
        assertThat(result.queues()).allSatisfy(queue -> assertThat(queue).startsWith("sagaflow-example-"))
                .allSatisfy(OrderServiceMainTest::assertDeleted);
    }

    private static long approvedCents(Map<String, SagaOutcome<Order>> outcomes, String customer) {
        return outcomes.values().stream().filter(o -> o.status() == SagaStatus.COMPLETED)
                .filter(o -> o.data().customer().equals(customer)).mapToLong(o -> o.data().cents()).sum();
    }

    private static void assertDeleted(String queue) {
        try (RabbitBroker broker = RabbitBroker.connect()) {
            Channel channel = broker.admin().createChannel();
            assertThatThrownBy(() -> channel.queueDeclarePassive(queue)).as(queue + " is deleted")
                    .isInstanceOf(IOException.class).hasStackTraceContaining("NOT_FOUND");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
