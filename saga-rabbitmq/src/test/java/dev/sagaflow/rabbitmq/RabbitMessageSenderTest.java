package dev.sagaflow.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.GetResponse;
import dev.sagaflow.messaging.MessageRejectedException;
import dev.sagaflow.rabbitmq.support.RabbitBroker;
import dev.sagaflow.rabbitmq.support.RequiresRabbitMq;
import dev.sagaflow.messaging.TcpProxy;
import dev.sagaflow.store.OutboxMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RequiresRabbitMq
class RabbitMessageSenderTest {
    private RabbitBroker broker;
    private RabbitMessageSender sender;

    @BeforeEach
    void connect() throws Exception {
        broker = RabbitBroker.connect();
        sender = RabbitMessageSender.builder(RabbitBroker.factory()).confirmTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void close() throws IOException {
        sender.close();
        broker.close();
    }

    private static OutboxMessage command(String destination, String payload) {
        String sagaId = UUID.randomUUID().toString();
        String key = sagaId + ":reserve-credit";
        return new OutboxMessage(UUID.randomUUID().toString(), sagaId, "create-order", "reserve-credit", destination,
                payload, Map.of(OutboxMessage.IDEMPOTENCY_KEY_HEADER, key, OutboxMessage.CORRELATION_ID_HEADER, key),
                Instant.parse("2026-03-01T10:00:00Z"));
    }

    @Test
    void a_confirmed_command_is_persistent_json_and_carries_its_message_id_correlation_id_idempotency_key_and_saga()
            throws Exception {
        String queue = broker.queue("commands");
        OutboxMessage command = command(queue, "{\"cents\":1250}");

        sender.send(command);

        GetResponse got = broker.get(queue);
        assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"cents\":1250}");
        assertThat(got.getProps().getMessageId()).isEqualTo(command.id());
        assertThat(got.getProps().getCorrelationId()).isEqualTo(command.sagaId() + ":reserve-credit");
        assertThat(got.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(got.getProps().getContentType()).isEqualTo("application/json");
        assertThat(got.getProps().getHeaders()).extractingByKeys("sagaflow-idempotency-key", "sagaflow-message-id",
                "sagaflow-saga-id", "sagaflow-saga-name", "sagaflow-step")
                .extracting(String::valueOf)
                .containsExactly(command.sagaId() + ":reserve-credit", command.id(), command.sagaId(), "create-order",
                        "reserve-credit");
    }

    @Test
    void a_command_sent_through_an_exchange_reaches_the_queue_bound_to_its_routing_key() throws Exception {
        String queue = broker.queue("commands");
        String exchange = broker.exchange("customers");
        broker.admin().createChannel().queueBind(queue, exchange, "credit.reserve");

        sender.send(command(exchange + "/credit.reserve", "{}"));

        assertThat(broker.count(queue)).isEqualTo(1);
    }

    @Test
    void a_command_no_queue_is_bound_for_is_refused_for_good_and_the_sender_goes_on_sending() throws Exception {
        String queue = broker.queue("commands");
        String exchange = broker.exchange("nobody-bound");
        OutboxMessage toNoQueue = command("no-such-queue-" + UUID.randomUUID(), "{}");
        OutboxMessage toNoBinding = command(exchange + "/anything", "{}");

        assertThatThrownBy(() -> sender.send(toNoQueue)).isInstanceOf(MessageRejectedException.class)
                .hasMessageContaining("unroutable (312 NO_ROUTE)").hasMessageContaining(toNoQueue.sagaId());
        assertThatThrownBy(() -> sender.send(toNoBinding)).isInstanceOf(MessageRejectedException.class)
                .hasMessageContaining("no queue is bound for exchange '" + exchange + "' routing key 'anything'");
        sender.send(command(queue, "{}"));

        assertThat(broker.count(queue)).isEqualTo(1);
    }

    @Test
    void a_command_for_an_exchange_that_does_not_exist_is_refused_for_good_without_breaking_the_channel()
            throws Exception {
        String queue = broker.queue("commands");
        OutboxMessage toNowhere = command("no-such-exchange-" + UUID.randomUUID() + "/key", "{}");

        Map<String, Exception> failures = sender.sendAll(List.of(toNowhere, command(queue, "{}")));

        assertThat(failures).containsOnlyKeys(toNowhere.id());
        assertThat(failures.get(toNowhere.id())).isInstanceOf(MessageRejectedException.class)
                .hasMessageContaining("does not exist");
        assertThat(broker.count(queue)).isEqualTo(1);
    }

    @Test
    void a_command_larger_than_the_limit_is_refused_for_good() throws Exception {
        String queue = broker.queue("commands");
        try (RabbitMessageSender small = RabbitMessageSender.builder(RabbitBroker.factory()).maxMessageBytes(10).build()) {
            assertThatThrownBy(() -> small.send(command(queue, "{\"a\":\"0123456789\"}")))
                    .isInstanceOf(MessageRejectedException.class).hasMessageContaining("18 bytes, more than the 10 the sender allows");
        }
    }

    @Test
    void a_batch_is_confirmed_whole_and_arrives_in_the_order_published() throws Exception {
        String queue = broker.queue("commands");
        List<OutboxMessage> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(command(queue, "{\"n\":" + i + "}"));
        }

        assertThat(sender.sendAll(batch)).isEmpty();

        assertThat(broker.count(queue)).isEqualTo(200);
        for (int i = 0; i < 200; i++) {
            assertThat(broker.get(queue).getProps().getMessageId()).isEqualTo(batch.get(i).id());
        }
    }

    @Test
    void while_the_broker_is_unreachable_sends_fail_transiently_and_succeed_once_it_is_back() throws Exception {
        String queue = broker.queue("commands");
        try (TcpProxy proxy = new TcpProxy(RabbitBroker.factory().getHost(), RabbitBroker.factory().getPort());
                RabbitMessageSender through = RabbitMessageSender.builder(RabbitBroker.factoryThrough(proxy)).build()) {
            through.send(command(queue, "{}"));

            proxy.cut();
            OutboxMessage during = command(queue, "{}");
            assertThatThrownBy(() -> through.send(during)).isNotInstanceOf(MessageRejectedException.class)
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> through.send(during)).isInstanceOf(IOException.class);
            proxy.restore();
            through.send(during);
        }

        assertThat(broker.count(queue)).isEqualTo(2);
    }
}
