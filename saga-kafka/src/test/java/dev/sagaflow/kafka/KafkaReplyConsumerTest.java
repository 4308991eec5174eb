package dev.sagaflow.kafka;

import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.kafka.internal.KafkaHeaders;
import dev.sagaflow.kafka.support.EmbeddedKafka;
import dev.sagaflow.kafka.support.RequiresKafka;
import dev.sagaflow.messaging.CreditSaga;
import dev.sagaflow.messaging.CreditSaga.Order;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.messaging.SwitchableStore;
import dev.sagaflow.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Replies over a real Kafka broker: offsets committed only once replies are durable, re-reads applied once. */
@RequiresKafka
class KafkaReplyConsumerTest {
    private final SwitchableStore store = new SwitchableStore();
    private final RecordingListener events = new RecordingListener();
    private final CreditSaga credit = new CreditSaga();
    private final List<String> correlationIds = credit.correlationIds();
    private EmbeddedKafka kafka;
    private String replies;
    private String group;
    private SagaDefinition<Order> saga;
    private SagaOrchestrator orchestrator;
    private KafkaProducer<String, byte[]> participant;
    private final List<KafkaReplyConsumer> consumers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        kafka = EmbeddedKafka.shared();
        replies = kafka.topic("order-replies", 2);
        group = "orders-" + UUID.randomUUID();
        saga = credit.definition();
        orchestrator = SagaOrchestrator.builder(store).register(saga).listener(events).build();
        Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        participant = new KafkaProducer<>(config);
    }

    @AfterEach
    void tearDown() {
        consumers.forEach(KafkaReplyConsumer::close);
        participant.close();
        orchestrator.close();
    }

    private KafkaReplyConsumer startConsumer() {
        KafkaReplyConsumer consumer = KafkaReplyConsumer.builder(kafka.consumerConfig(group), List.of(replies),
                orchestrator).pollTimeout(Duration.ofMillis(100)).retryDelay(Duration.ofMillis(100)).build();
        consumers.add(consumer);
        consumer.start();
        return consumer;
    }

    private void reply(String correlationId, String outcome, String body) throws Exception {
        Map<String, String> headers = outcome.equals(SagaMessages.SUCCESS)
                ? SagaMessages.successReplyHeaders(correlationId) : SagaMessages.failureReplyHeaders(correlationId);
        participant.send(new ProducerRecord<>(replies, null, correlationId, body.getBytes(StandardCharsets.UTF_8),
                KafkaHeaders.of(headers))).get(10, TimeUnit.SECONDS);
    }

    /** The group's committed offsets, summed over the topic's partitions. */
    private long committed() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = kafka.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }


    @Test
    void a_success_reply_is_applied_and_its_offset_committed() throws Exception {
        startConsumer();
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-1"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));

        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-1\"}");

        assertThat(execution.outcome().get(20, TimeUnit.SECONDS).data().marks())
                .containsExactly("credit requested", "reserved r-1", "approved");
        eventually(() -> committed() == 1, Duration.ofSeconds(10));
    }

    @Test
    void a_failure_reply_is_committed_and_the_saga_compensates() throws Exception {
        startConsumer();
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-2"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));

        reply(correlationIds.get(0), SagaMessages.FAILURE, "credit limit exceeded");

        assertThat(execution.outcome().get(20, TimeUnit.SECONDS).status()).isEqualTo(SagaStatus.COMPENSATED);
        eventually(() -> committed() == 1, Duration.ofSeconds(10));
    }

    @Test
    void a_reply_read_again_by_a_new_consumer_before_its_offset_was_committed_is_applied_once() throws Exception {
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-3"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));
        // A redelivery: the same reply twice in the topic, as when a consumer died after the store write and before
        // its commit, and its partition's records were read again.
        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-3\"}");
        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-3\"}");

        startConsumer();

        assertThat(execution.outcome().get(20, TimeUnit.SECONDS).data().marks()).containsOnlyOnce("reserved r-3");
        eventually(() -> committed() == 2, Duration.ofSeconds(10));
        assertThat(events.types(execution.sagaId())).containsOnlyOnce(SagaEventType.REPLY_REJECTED);
    }

    @Test
    void a_reply_arriving_before_the_checkpoint_that_starts_the_wait_is_recorded_committed_and_applied()
            throws Exception {
        startConsumer();
        credit.afterSending(() -> {
            try {
                // The participant answers while this action still runs (the step is RUNNING, not yet waiting).
                reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"early\"}");
                eventually(() -> committed() == 1, Duration.ofSeconds(15));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-4"));

        assertThat(execution.outcome().get(30, TimeUnit.SECONDS).data().marks())
                .containsExactly("credit requested", "reserved early", "approved");
    }

    @Test
    void a_reply_the_store_cannot_record_is_not_committed_and_is_applied_once_the_store_is_back() throws Exception {
        startConsumer();
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-5"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));

        store.down = true;
        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-5\"}");
        Thread.sleep(1_000);
        assertThat(committed()).as("not committed while the store is down").isZero();
        assertThat(execution.outcome()).isNotDone();
        store.down = false;

        assertThat(execution.outcome().get(20, TimeUnit.SECONDS).data().marks()).containsOnlyOnce("reserved r-5");
        eventually(() -> committed() == 1, Duration.ofSeconds(10));
    }

    @Test
    void a_record_that_is_no_reply_is_committed_past_and_the_next_reply_is_applied() throws Exception {
        startConsumer();
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-6"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));

        participant.send(new ProducerRecord<>(replies, null, correlationIds.get(0),
                "hello".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-6\"}");

        assertThat(execution.outcome().get(20, TimeUnit.SECONDS).data().marks()).contains("reserved r-6");
        eventually(() -> committed() == 2, Duration.ofSeconds(10));
    }
}
