package dev.sagaflow.rabbitmq;

import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.messaging.CommandWriter;
import dev.sagaflow.messaging.InterceptedOutbox;
import dev.sagaflow.messaging.MarkedOutbox;
import dev.sagaflow.messaging.OutboxRelay;
import dev.sagaflow.rabbitmq.support.Participant;
import dev.sagaflow.rabbitmq.support.Participant.Delivery;
import dev.sagaflow.rabbitmq.support.RabbitBroker;
import dev.sagaflow.rabbitmq.support.RequiresRabbitMq;
import dev.sagaflow.messaging.TcpProxy;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.SettableClock;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The outbox relay over the real broker: what the participant sees when the broker or the relay fails. */
@RequiresRabbitMq
class RabbitRelayTest {
    private final MarkedOutbox outbox = new MarkedOutbox();
    private final SettableClock clock = outbox.clock;
    private final InMemorySagaStore memory = outbox.memory;
    private final Set<String> sent = outbox.sent;
    private final OutboxStore store = outbox.store;
    private final CommandWriter writer = outbox.writer;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private RabbitBroker broker;
    private String queue;

    @BeforeEach
    void declare() throws Exception {
        broker = RabbitBroker.connect();
        queue = broker.queue("customer-commands");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        broker.close();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }


    private static Set<String> ids(List<OutboxMessage> messages) {
        return messages.stream().map(OutboxMessage::id).collect(Collectors.toSet());
    }

    /** Per instance, the commands the participant applied, by sequence number, in the order it applied them. */
    private static Map<String, List<Integer>> appliedPerInstance(Participant participant) {
        Map<String, List<Integer>> perInstance = new HashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Delivery delivery : participant.deliveries()) {
            if (seen.add(delivery.idempotencyKey())) {
                perInstance.computeIfAbsent(delivery.sagaId(), id -> new ArrayList<>())
                        .add(CommandWriter.seq(delivery.body()));
            }
        }
        return perInstance;
    }

    @Test
    void every_command_reaches_the_participant_in_order_per_instance_although_the_broker_was_unreachable_for_a_while()
            throws Exception {
        TcpProxy proxy = closing(new TcpProxy(RabbitBroker.factory().getHost(), RabbitBroker.factory().getPort()));
        RabbitMessageSender sender = closing(RabbitMessageSender.builder(RabbitBroker.factoryThrough(proxy))
                .confirmTimeout(Duration.ofSeconds(2)).build());
        Participant participant = closing(Participant.consume(RabbitBroker.factory(), queue));
        OutboxRelay relay = closing(OutboxRelay.builder(store, sender).batchSize(20).pollInterval(Duration.ofMillis(20))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400)).build());
        List<OutboxMessage> written = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            List<OutboxMessage> first = writer.start(queue, 2);
            written.addAll(first);
            written.addAll(writer.next(first.get(0).sagaId(), queue, 1));
        }
        relay.start();

        eventually(() -> sent.size() >= 20, Duration.ofSeconds(10));
        proxy.cut();
        Thread.sleep(1_500);
        proxy.restore();
        eventually(() -> sent.containsAll(ids(written)), Duration.ofSeconds(20));
        eventually(() -> participant.applied().size() == written.size(), Duration.ofSeconds(10));

        assertThat(participant.applied()).as("every command applied once, by its idempotency key")
                .containsExactlyInAnyOrderElementsOf(written.stream()
                        .map(m -> m.headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER)).toList());
        appliedPerInstance(participant).forEach((sagaId, seqs) ->
                assertThat(seqs).as("instance %s", sagaId).containsExactly(1, 2, 3));
        assertThat(memory.failedOutbox(10)).isEmpty();
    }

    /** The relay's process dies right after the broker confirmed, before it marked the message sent. */
    private static final class Crash extends Error {
        Crash() {
            super("the relay's process dies here");
        }
    }

    @Test
    void a_relay_killed_between_publish_and_mark_sent_makes_the_participant_see_the_idempotency_key_twice_and_apply_it_once()
            throws Exception {
        Participant participant = closing(Participant.consume(RabbitBroker.factory(), queue));
        List<OutboxMessage> commands = writer.start(queue, 2);
        OutboxStore dying = InterceptedOutbox.of(store, (method, args, proceed) -> {
            if (method.equals("markSent")) {
                throw new Crash();
            }
            return proceed.call();
        });
        Duration lease = Duration.ofSeconds(30);
        RabbitMessageSender firstSender = closing(RabbitMessageSender.builder(RabbitBroker.factory()).build());
        OutboxRelay first = OutboxRelay.builder(dying, firstSender).lease(lease).build();
        assertThatThrownBy(first::relayOnce).isInstanceOf(Crash.class);
        firstSender.close();
        eventually(() -> participant.deliveries().size() == 1, Duration.ofSeconds(5));

        clock.advance(lease.plusSeconds(1));
        RabbitMessageSender secondSender = closing(RabbitMessageSender.builder(RabbitBroker.factory()).build());
        OutboxRelay second = closing(OutboxRelay.builder(store, secondSender).lease(lease).build());
        for (int i = 0; i < 10 && !sent.containsAll(ids(commands)); i++) {
            second.relayOnce();
        }
        eventually(() -> participant.deliveries().size() == 3, Duration.ofSeconds(5));

        List<Delivery> deliveries = participant.deliveries();
        String key = commands.get(0).headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER);
        assertThat(deliveries).extracting(Delivery::idempotencyKey)
                .containsExactly(key, key, commands.get(1).headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER));
        assertThat(deliveries.get(1).messageId()).as("the same message id").isEqualTo(deliveries.get(0).messageId());
        assertThat(participant.applied()).as("the participant dedupes by key").hasSize(2).first().isEqualTo(key);
        assertThat(sent).containsExactlyInAnyOrderElementsOf(ids(commands));
    }

    @Test
    void an_unroutable_command_ends_failed_in_the_outbox_and_the_instances_next_command_is_delivered()
            throws Exception {
        Participant participant = closing(Participant.consume(RabbitBroker.factory(), queue));
        List<OutboxMessage> first = writer.start("no-such-queue-" + java.util.UUID.randomUUID(), 1);
        List<OutboxMessage> next = writer.next(first.get(0).sagaId(), queue, 1);
        RabbitMessageSender sender = closing(RabbitMessageSender.builder(RabbitBroker.factory()).build());
        OutboxRelay relay = closing(OutboxRelay.builder(store, sender).build());

        for (int i = 0; i < 5; i++) {
            relay.relayOnce();
        }

        assertThat(memory.failedOutbox(10)).singleElement()
                .satisfies(failed -> assertThat(failed.reason()).contains("312 NO_ROUTE"))
                .extracting(failed -> failed.message().id()).isEqualTo(first.get(0).id());
        eventually(() -> participant.deliveries().size() == 1, Duration.ofSeconds(5));
        assertThat(participant.deliveries().get(0).messageId()).isEqualTo(next.get(0).id());
    }
}
