package dev.sagaflow.kafka;

import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.kafka.internal.KafkaHeaders;
import dev.sagaflow.kafka.support.EmbeddedKafka;
import dev.sagaflow.kafka.support.RequiresKafka;
import dev.sagaflow.messaging.BrokerOrderSaga;
import dev.sagaflow.messaging.BrokerOrderSaga.LedgerCounts;
import dev.sagaflow.messaging.BrokerOrderSaga.Order;
import dev.sagaflow.messaging.OutboxRelay;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order saga end to end over Kafka with a command step: the order service (orchestrator, outbox, relay, reply
 * consumer) and a customer service (its own consumer group and producer, on a thread of its own) share only the
 * broker, whose clients are cut off for a while in the middle. Every outcome is checked against the customer
 * service's own ledger.
 */
@RequiresKafka
class OrderSagaOverKafkaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CREDIT_LIMIT = 2_000;
    private static final long ORDER_CENTS = 100;
    private static final int ORDERS = 30;

    /** "<effect> <order>" for every effect the customer service applied, in order. */
    private final List<String> ledger = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private volatile boolean stopped;

    private long count(String effect, String order) {
        return ledger.stream().filter((effect + " " + order)::equals).count();
    }

    @AfterEach
    void close() throws Exception {
        stopped = true;
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    /** The customer service: applies each idempotency key once, reserves up to the limit, answers reservations. */
    private Thread customerService(EmbeddedKafka kafka, String commands, String replies) {
        Map<String, Object> consumerConfig = kafka.consumerConfig("customer-service-" + UUID.randomUUID());
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        Thread thread = new Thread(() -> {
            Set<String> appliedKeys = new HashSet<>();
            Map<String, Long> reserved = new HashMap<>();
            long used = 0;
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig);
                    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig)) {
                consumer.subscribe(List.of(commands));
                while (!stopped) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        Map<String, String> headers = KafkaHeaders.text(record.headers());
                        JsonNode command = JSON.readTree(record.value());
                        String order = command.get("order").asText();
                        long cents = command.get("cents").asLong();
                        boolean fresh = appliedKeys.add(headers.get(OutboxMessage.IDEMPOTENCY_KEY_HEADER));
                        if (!command.get("type").asText().equals("reserve")) {
                            if (fresh) {
                                Long released = reserved.remove(order);
                                used -= released == null ? 0 : released;
                                ledger.add("released " + order);
                            }
                            continue;
                        }
                        if (fresh && used + cents <= CREDIT_LIMIT) {
                            used += cents;
                            reserved.put(order, cents);
                            ledger.add("reserved " + order);
                        } else if (fresh) {
                            ledger.add("refused " + order);
                        }
                        String correlationId = headers.get(OutboxMessage.CORRELATION_ID_HEADER);
                        boolean ok = reserved.containsKey(order);
                        producer.send(new ProducerRecord<>(replies, null, correlationId, (ok
                                ? "{\"reservationId\":\"r-" + order + "\"}" : "credit limit exceeded")
                                .getBytes(StandardCharsets.UTF_8), KafkaHeaders.of(ok
                                ? SagaMessages.successReplyHeaders(correlationId)
                                : SagaMessages.failureReplyHeaders(correlationId)))).get(10, TimeUnit.SECONDS);
                    }
                    consumer.commitSync();
                }
            } catch (WakeupException e) {
                // stopped
            } catch (Exception e) {
                ledger.add("customer service failed: " + e);
            }
        }, "customer-service");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Test
    void every_order_ends_as_the_customer_services_own_ledger_says_although_the_broker_was_unreachable_for_a_while()
            throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        String commands = kafka.topic("customer-commands", 3);
        String replies = kafka.topic("order-replies", 3);
        Thread service = customerService(kafka, commands, replies);
        resources.add(() -> service.join(10_000));
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaDefinition<Order> saga = BrokerOrderSaga.definition("order-over-kafka", commands);
        SagaOrchestrator orders = SagaOrchestrator.builder(store).register(saga).build();
        resources.add(orders);
        KafkaMessageSender sender = KafkaMessageSender.builder(kafka.producerConfig()).sendTimeout(Duration.ofSeconds(3))
                .build();
        resources.add(sender);
        OutboxRelay relay = OutboxRelay.builder(store, sender).pollInterval(Duration.ofMillis(20))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400)).build();
        resources.add(relay);
        KafkaReplyConsumer consumer = KafkaReplyConsumer.builder(kafka.consumerConfig("orders-" + UUID.randomUUID()),
                List.of(replies), orders).pollTimeout(Duration.ofMillis(100)).build();
        resources.add(consumer);
        relay.start();
        consumer.start();

        Map<String, SagaExecution<Order>> executions = new LinkedHashMap<>();
        for (int i = 0; i < ORDERS; i++) {
            if (i == ORDERS / 2) {
                kafka.cutClients();
            }
            String id = "o-" + i;
            executions.put(id, orders.start(saga, new Order(id, ORDER_CENTS, i % 7 == 3, List.of())));
        }
        try {
            Thread.sleep(1_000);
        } finally {
            kafka.restoreClients();
        }

        Map<String, SagaOutcome<Order>> outcomes = new LinkedHashMap<>();
        for (Map.Entry<String, SagaExecution<Order>> entry : executions.entrySet()) {
            outcomes.put(entry.getKey(), entry.getValue().outcome().get(90, TimeUnit.SECONDS));
        }
        long releasesDue = BrokerOrderSaga.releasesDue(outcomes);
        eventually(() -> ledger.stream().filter(l -> l.startsWith("released ")).count() == releasesDue,
                Duration.ofSeconds(30));

        assertThat(ledger).noneMatch(line -> line.startsWith("customer service failed"));
        assertThat(BrokerOrderSaga.violations(outcomes, order -> new LedgerCounts(count("reserved", order),
                count("released", order), count("refused", order)))).isEmpty();
        assertThat(outcomes.values().stream().filter(o -> o.status() == SagaStatus.COMPLETED).count()).isPositive()
                .isLessThanOrEqualTo(CREDIT_LIMIT / ORDER_CENTS);
        assertThat(ledger).anyMatch(line -> line.startsWith("refused "));
        assertThat(store.failedOutbox(10)).isEmpty();
    }
}
