package dev.sagaflow.kafka;

import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.kafka.support.EmbeddedKafka;
import dev.sagaflow.kafka.support.Participant;
import dev.sagaflow.kafka.support.RequiresKafka;
import dev.sagaflow.messaging.MessageRejectedException;
import dev.sagaflow.store.OutboxMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RequiresKafka
class KafkaMessageSenderTest {
    private EmbeddedKafka kafka;
    private KafkaMessageSender sender;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void connect() throws Exception {
        kafka = EmbeddedKafka.shared();
        sender = KafkaMessageSender.builder(kafka.producerConfig()).sendTimeout(Duration.ofSeconds(4)).build();
    }

    @AfterEach
    void close() throws Exception {
        sender.close();
        for (AutoCloseable resource : closing) {
            resource.close();
        }
    }

    private static OutboxMessage command(String topic, String payload) {
        String sagaId = UUID.randomUUID().toString();
        String key = sagaId + ":reserve-credit";
        return new OutboxMessage(UUID.randomUUID().toString(), sagaId, "create-order", "reserve-credit", topic, payload,
                Map.of(OutboxMessage.IDEMPOTENCY_KEY_HEADER, key, OutboxMessage.CORRELATION_ID_HEADER, key),
                Instant.parse("2026-03-01T10:00:00Z"));
    }


    @Test
    void a_written_command_is_keyed_by_its_saga_and_carries_its_ids_and_saga_headers() throws Exception {
        String topic = kafka.topic("commands", 3);
        OutboxMessage command = command(topic, "{\"cents\":1250}");
        Participant participant = Participant.consume(kafka, topic);
        closing.add(participant);

        sender.send(command);

        eventually(() -> participant.deliveries().size() == 1, Duration.ofSeconds(15));
        Participant.Delivery delivery = participant.deliveries().get(0);
        assertThat(delivery.key()).isEqualTo(command.sagaId());
        assertThat(delivery.body()).isEqualTo("{\"cents\":1250}");
        assertThat(delivery.headers()).containsEntry("sagaflow-idempotency-key", command.sagaId() + ":reserve-credit")
                .containsEntry("sagaflow-correlation-id", command.sagaId() + ":reserve-credit")
                .containsEntry("sagaflow-message-id", command.id())
                .containsEntry("sagaflow-saga-id", command.sagaId())
                .containsEntry("sagaflow-saga-name", "create-order")
                .containsEntry("sagaflow-step", "reserve-credit");
    }

    @Test
    void a_command_for_a_topic_that_does_not_exist_is_refused_for_good_unless_unknown_topics_are_allowed() {
        OutboxMessage command = command("no-such-topic-" + UUID.randomUUID(), "{}");

        assertThatThrownBy(() -> sender.send(command)).isInstanceOf(MessageRejectedException.class)
                .hasMessageContaining("topic '" + command.destination() + "' does not exist")
                .hasMessageContaining("instance " + command.sagaId());
    }

    @Test
    void a_command_larger_than_the_broker_takes_is_refused_for_good() throws Exception {
        String topic = kafka.topic("commands", 1);
        Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024);
        try (KafkaMessageSender small = KafkaMessageSender.builder(config).build()) {
            assertThatThrownBy(() -> small.send(command(topic, "{\"a\":\"" + "x".repeat(2048) + "\"}")))
                    .isInstanceOf(MessageRejectedException.class).hasMessageContaining("RecordTooLargeException");
        }
    }

    @Test
    void the_sender_refuses_settings_that_would_lose_acknowledged_records() {
        Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "1");

        assertThatThrownBy(() -> KafkaMessageSender.builder(config).build())
                .hasMessageContaining("needs acks=all and enable.idempotence=true");
    }

    @Test
    void while_the_broker_is_unreachable_sends_fail_transiently_and_succeed_once_it_is_back() throws Exception {
        String topic = kafka.topic("commands", 1);
        sender.send(command(topic, "{}"));
        List<OutboxMessage> during = List.of(command(topic, "{\"n\":1}"), command(topic, "{\"n\":2}"));

        kafka.cutClients();
        try {
            long started = System.nanoTime();
            Map<String, Exception> failures = sender.sendAll(during);
            assertThat(failures).containsOnlyKeys(during.get(0).id(), during.get(1).id());
            assertThat(failures.values()).noneMatch(MessageRejectedException.class::isInstance);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("bounded by the send timeout")
                    .isLessThan(Duration.ofSeconds(8));
        } finally {
            kafka.restoreClients();
        }
        assertThat(sender.sendAll(during)).isEmpty();
    }
}
