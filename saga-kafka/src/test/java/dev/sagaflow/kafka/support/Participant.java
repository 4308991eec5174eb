package dev.sagaflow.kafka.support;

import dev.sagaflow.kafka.internal.KafkaHeaders;
import dev.sagaflow.store.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A participant as the README asks for one: it consumes commands from a topic and applies each idempotency key at
 * most once. Records every record it read. Thread-safe.
 */
public final class Participant implements AutoCloseable {
    /** One record of a command. */
    public record Delivery(String key, String messageId, String idempotencyKey, String sagaId, String body,
            int partition, Map<String, String> headers) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private final List<String> appliedInOrder = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private Participant(EmbeddedKafka kafka, String topic) {
        Map<String, Object> config = kafka.consumerConfig("participant-" + topic);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(config);
        consumer.subscribe(List.of(topic));
        thread = new Thread(this::loop, "participant-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts consuming {@code topic} from its beginning. */
    public static Participant consume(EmbeddedKafka kafka, String topic) {
        return new Participant(kafka, topic);
    }

    private void loop() {
        try {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    Map<String, String> headers = KafkaHeaders.text(record.headers());
                    String key = headers.get(OutboxMessage.IDEMPOTENCY_KEY_HEADER);
                    deliveries.add(new Delivery(record.key(), headers.get(OutboxMessage.MESSAGE_ID_HEADER), key,
                            headers.get("sagaflow-saga-id"), new String(record.value(), StandardCharsets.UTF_8),
                            record.partition(), headers));
                    if (applied.add(key)) {
                        appliedInOrder.add(key);
                    }
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closed
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Every record read so far, in order. */
    public List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    /** The idempotency keys applied, each once, in the order first read. */
    public List<String> applied() {
        return new ArrayList<>(appliedInOrder);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(5_000);
    }
}
