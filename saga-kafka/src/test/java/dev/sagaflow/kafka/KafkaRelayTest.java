package dev.sagaflow.kafka;

import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.kafka.support.EmbeddedKafka;
import dev.sagaflow.kafka.support.Participant;
import dev.sagaflow.kafka.support.Participant.Delivery;
import dev.sagaflow.kafka.support.RequiresKafka;
import dev.sagaflow.messaging.CommandWriter;
import dev.sagaflow.messaging.InterceptedOutbox;
import dev.sagaflow.messaging.MarkedOutbox;
import dev.sagaflow.messaging.OutboxRelay;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.SettableClock;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The outbox relay over a real Kafka broker: what the participant sees when the broker or the relay fails. */
@RequiresKafka
class KafkaRelayTest {
    private final MarkedOutbox outbox = new MarkedOutbox();
    private final SettableClock clock = outbox.clock;
    private final InMemorySagaStore memory = outbox.memory;
    private final Set<String> sent = outbox.sent;
    private final OutboxStore store = outbox.store;
    private final CommandWriter writer = outbox.writer;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private EmbeddedKafka kafka;
    private String topic;

    @BeforeEach
    void createTopic() throws Exception {
        kafka = EmbeddedKafka.shared();
        topic = kafka.topic("customer-commands", 3);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }


    private static Set<String> ids(List<OutboxMessage> messages) {
        return messages.stream().map(OutboxMessage::id).collect(Collectors.toSet());
    }

    @Test
    void every_command_reaches_the_participant_in_order_per_instance_although_the_broker_was_unreachable_for_a_while()
            throws Exception {
        KafkaMessageSender sender = closing(KafkaMessageSender.builder(kafka.producerConfig())
                .sendTimeout(Duration.ofSeconds(3)).build());
        Participant participant = closing(Participant.consume(kafka, topic));
        OutboxRelay relay = closing(OutboxRelay.builder(store, sender).batchSize(20).pollInterval(Duration.ofMillis(20))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400)).build());
        List<OutboxMessage> written = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            List<OutboxMessage> first = writer.start(topic, 2);
            written.addAll(first);
            written.addAll(writer.next(first.get(0).sagaId(), topic, 1));
        }
        relay.start();

        eventually(() -> sent.size() >= 20, Duration.ofSeconds(20));
        kafka.cutClients();
        try {
            Thread.sleep(1_500);
        } finally {
            kafka.restoreClients();
        }
        eventually(() -> sent.containsAll(ids(written)), Duration.ofSeconds(30));
        eventually(() -> participant.applied().size() == written.size(), Duration.ofSeconds(20));

        assertThat(participant.applied()).containsExactlyInAnyOrderElementsOf(written.stream()
                .map(m -> m.headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER)).toList());
        Map<String, List<Integer>> perInstance = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Delivery delivery : participant.deliveries()) {
            assertThat(delivery.key()).isEqualTo(delivery.sagaId());
            if (seen.add(delivery.idempotencyKey())) {
                perInstance.computeIfAbsent(delivery.sagaId(), id -> new ArrayList<>())
                        .add(CommandWriter.seq(delivery.body()));
            }
        }
        perInstance.forEach((sagaId, seqs) -> assertThat(seqs).as("instance %s", sagaId).containsExactly(1, 2, 3));
    }

    private static final class Crash extends Error {
        Crash() {
            super("the relay's process dies here");
        }
    }

    @Test
    void a_relay_killed_between_send_and_mark_sent_makes_the_participant_see_the_idempotency_key_twice_and_apply_it_once()
            throws Exception {
        Participant participant = closing(Participant.consume(kafka, topic));
        List<OutboxMessage> commands = writer.start(topic, 2);
        OutboxStore dying = InterceptedOutbox.of(store, (method, args, proceed) -> {
            if (method.equals("markSent")) {
                throw new Crash();
            }
            return proceed.call();
        });
        Duration lease = Duration.ofSeconds(30);
        try (KafkaMessageSender firstSender = KafkaMessageSender.builder(kafka.producerConfig()).build()) {
            OutboxRelay first = OutboxRelay.builder(dying, firstSender).lease(lease).build();
            assertThatThrownBy(first::relayOnce).isInstanceOf(Crash.class);
        }
        eventually(() -> participant.deliveries().size() == 1, Duration.ofSeconds(15));

        clock.advance(lease.plusSeconds(1));
        KafkaMessageSender secondSender = closing(KafkaMessageSender.builder(kafka.producerConfig()).build());
        OutboxRelay second = closing(OutboxRelay.builder(store, secondSender).lease(lease).build());
        for (int i = 0; i < 10 && !sent.containsAll(ids(commands)); i++) {
            second.relayOnce();
        }
        eventually(() -> participant.deliveries().size() == 3, Duration.ofSeconds(15));

        List<Delivery> deliveries = participant.deliveries();
        String key = commands.get(0).headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER);
        assertThat(deliveries).extracting(Delivery::idempotencyKey)
                .containsExactly(key, key, commands.get(1).headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER));
        assertThat(deliveries.get(1).messageId()).isEqualTo(deliveries.get(0).messageId());
        assertThat(participant.applied()).hasSize(2).first().isEqualTo(key);
    }
}
