package dev.sagaflow.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.kafka.KafkaMessageSender;
import dev.sagaflow.kafka.internal.KafkaHeaders;
import dev.sagaflow.kafka.support.EmbeddedKafka;
import dev.sagaflow.messaging.MessageSender;
import dev.sagaflow.messaging.OutboxRelay;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.rabbitmq.RabbitMessageSender;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The outbox relay's throughput to each broker, in messages per second confirmed by the broker and marked sent,
 * beside plain publisher loops in the same run that send the very same messages (body, properties, headers): one
 * at a time, each confirmed before the next (what a host writes first), and pipelined in windows of 100 confirms
 * (the ceiling of one publisher on one connection).
 * RabbitMQ: the server of {@code SAGAFLOW_RABBITMQ_URI} (default the local one); Kafka: a KRaft broker started in
 * this JVM. The outbox is the in-memory store's, filled before the clock starts (one message per saga instance,
 * a 200-byte JSON payload). Every configuration's messages are counted in the queue or topic afterwards.
 *
 * <pre>java -cp saga-benchmarks/target/saga-benchmarks.jar dev.sagaflow.benchmarks.RelayThroughput [--reps N]
 *     [--messages N] [--brokers rabbitmq,kafka]</pre>
 */
public final class RelayThroughput {
    private static final String PAYLOAD = "{\"orderId\":\"%s\",\"customerId\":\"c-1042\",\"cents\":125000,"
            + "\"currency\":\"EUR\",\"lines\":[{\"sku\":\"A-1\",\"qty\":2},{\"sku\":\"B-7\",\"qty\":1}],\"pad\":\"%s\"}";

    /** One way to get N messages to the broker; returns when all are confirmed. */
    private interface Run {
        void send(String destination, List<OutboxMessage> messages) throws Exception;
    }

    private RelayThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int reps = 5;
        int messages = 20_000;
        List<String> brokers = List.of("rabbitmq", "kafka");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--brokers" -> brokers = Arrays.asList(args[++i].split(","));
                default -> {
                    System.err.println("usage: RelayThroughput [--reps N] [--messages N] [--brokers rabbitmq,kafka]");
                    System.exit(2);
                }
            }
        }
        System.out.printf("Relay throughput, %d cores, %s %s; %d messages per cell (sync loops and batch-1 relays: a"
                + " tenth), median of %d%n%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), messages, reps);
        for (String broker : brokers) {
            if (broker.equals("rabbitmq")) {
                rabbit(reps, messages);
            } else if (broker.equals("kafka")) {
                kafka(reps, messages);
            }
        }
    }

    // ---------------------------------------------------------------- RabbitMQ

    private static void rabbit(int reps, int messages) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI.create(System.getenv().getOrDefault("SAGAFLOW_RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672")));
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection admin = factory.newConnection("sagaflow-bench-admin");
                Connection plain = factory.newConnection("sagaflow-bench-plain");
                RabbitMessageSender sender = RabbitMessageSender.builder(factory).build()) {
            Channel confirming = plain.createChannel();
            confirming.confirmSelect();
            Map<String, Run> runs = new LinkedHashMap<>();
            runs.put("plain publisher, one confirm at a time", (queue, batch) -> {
                for (OutboxMessage message : batch) {
                    confirming.basicPublish("", queue, true, properties(message),
                            message.payload().getBytes(StandardCharsets.UTF_8));
                    confirming.waitForConfirmsOrDie(10_000);
                }
            });
            runs.put("plain publisher, confirms per 100", (queue, batch) -> {
                for (int i = 0; i < batch.size(); i++) {
                    confirming.basicPublish("", queue, true, properties(batch.get(i)),
                            batch.get(i).payload().getBytes(StandardCharsets.UTF_8));
                    if (i % 100 == 99 || i == batch.size() - 1) {
                        confirming.waitForConfirmsOrDie(10_000);
                    }
                }
            });
            runs.put("relay, batch 1", (queue, batch) -> relay(sender, batch, 1));
            runs.put("relay, batch 100", (queue, batch) -> relay(sender, batch, 100));
            measure("RabbitMQ " + rabbitVersion(admin), runs, reps, messages, () -> {
                try (Channel channel = admin.createChannel()) {
                    return channel.queueDeclare("sagaflow-bench-" + UUID.randomUUID(), false, false, true, null).getQueue();
                }
            }, queue -> {
                try (Channel channel = admin.createChannel()) {
                    long count = channel.messageCount(queue);
                    channel.queueDelete(queue);
                    return count;
                }
            });
        }
    }

    /** What the sender publishes, so that the plain loops send the very same messages. */
    private static AMQP.BasicProperties properties(OutboxMessage message) {
        return new AMQP.BasicProperties.Builder().messageId(message.id())
                .correlationId(message.headers().get(OutboxMessage.CORRELATION_ID_HEADER))
                .contentType("application/json").contentEncoding("UTF-8").deliveryMode(2)
                .timestamp(Date.from(message.createdAt())).headers(new HashMap<>(SagaMessages.headers(message))).build();
    }

    private static String rabbitVersion(Connection connection) {
        return String.valueOf(connection.getServerProperties().get("version"));
    }

    // ---------------------------------------------------------------- Kafka

    private static void kafka(int reps, int messages) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> config = kafka.producerConfig();
            config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            Map<String, Object> plainConfig = new LinkedHashMap<>(config);
            plainConfig.put(ProducerConfig.ACKS_CONFIG, "all");
            plainConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            plainConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            plainConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(plainConfig);
                    KafkaMessageSender sender = KafkaMessageSender.builder(config).build()) {
                Map<String, Run> runs = new LinkedHashMap<>();
                runs.put("plain producer, one acknowledgement at a time", (topic, batch) -> {
                    for (OutboxMessage message : batch) {
                        producer.send(record(topic, message)).get(10, TimeUnit.SECONDS);
                    }
                });
                runs.put("plain producer, acknowledgements per 100", (topic, batch) -> {
                    List<Future<RecordMetadata>> window = new ArrayList<>();
                    for (OutboxMessage message : batch) {
                        window.add(producer.send(record(topic, message)));
                        if (window.size() == 100) {
                            for (Future<RecordMetadata> sent : window) {
                                sent.get(10, TimeUnit.SECONDS);
                            }
                            window.clear();
                        }
                    }
                    for (Future<RecordMetadata> sent : window) {
                        sent.get(10, TimeUnit.SECONDS);
                    }
                });
                runs.put("relay, batch 1", (topic, batch) -> relay(sender, batch, 1));
                runs.put("relay, batch 100", (topic, batch) -> relay(sender, batch, 100));
                measure("Kafka 4.4 (KRaft, in this JVM, acks=all, idempotent, linger.ms=0, 3 partitions)", runs, reps,
                        messages, () -> kafka.topic("sagaflow-bench", 3), topic -> {
                            var partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                                    new TopicPartition(topic, 2));
                            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
                            return kafka.admin().listOffsets(latest).all().get().values().stream()
                                    .mapToLong(info -> info.offset()).sum();
                        });
            }
        }
    }

    private static ProducerRecord<String, byte[]> record(String topic, OutboxMessage message) {
        return new ProducerRecord<>(topic, null, message.createdAt().toEpochMilli(), message.sagaId(),
                message.payload().getBytes(StandardCharsets.UTF_8), KafkaHeaders.of(SagaMessages.headers(message)));
    }

    // ---------------------------------------------------------------- the relay

    /** Relays {@code messages} (already in an outbox) with a started relay, and returns once all are marked sent. */
    private static void relay(MessageSender sender, List<OutboxMessage> messages, int batchSize) throws Exception {
        InMemorySagaStore memory = InMemorySagaStore.withoutSerialization();
        for (OutboxMessage message : messages) {
            memory.insert(InstanceWrite.of(instance(message.sagaId()), List.of(), null).sending(List.of(message)));
        }
        CountDownLatch marked = new CountDownLatch(messages.size());
        OutboxStore counting = (OutboxStore) Proxy.newProxyInstance(OutboxStore.class.getClassLoader(),
                new Class<?>[] {OutboxStore.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(memory, args);
                        if (method.getName().equals("markSent") && Boolean.TRUE.equals(result)) {
                            marked.countDown();
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (OutboxRelay relay = OutboxRelay.builder(counting, sender).batchSize(batchSize).build()) {
            relay.start();
            if (!marked.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the relay did not send everything within 5 minutes");
            }
        }
    }

    private static SagaInstance instance(String id) {
        Instant now = Instant.now();
        return new SagaInstance(id, "bench", 1, "fp", null, SagaStatus.RUNNING, SagaData.ofJson("{}"),
                List.of(StepState.pending("reserve-credit")), now, now, null, null, null, 1, null);
    }

    // ---------------------------------------------------------------- measuring

    private interface Destinations {
        String create() throws Exception;
    }

    private interface Counter {
        long count(String destination) throws Exception;
    }

    private static void measure(String title, Map<String, Run> runs, int reps, int messages, Destinations destinations,
            Counter counter) throws Exception {
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        runs.keySet().forEach(name -> rates.put(name, new ArrayList<>()));
        for (int rep = -1; rep < reps; rep++) { // rep -1 warms the JIT up, unmeasured
            for (Map.Entry<String, Run> run : runs.entrySet()) {
                boolean oneAtATime = run.getKey().contains("one ") || run.getKey().endsWith("batch 1");
                int count = rep < 0 ? Math.min(2_000, messages / 10) : oneAtATime ? messages / 10 : messages;
                String destination = destinations.create();
                List<OutboxMessage> batch = messages(destination, count);
                long started = System.nanoTime();
                run.getValue().send(destination, batch);
                double seconds = (System.nanoTime() - started) / 1e9;
                long arrived = counter.count(destination);
                if (arrived != count) {
                    throw new IllegalStateException(run.getKey() + ": " + arrived + " of " + count + " messages arrived");
                }
                if (rep >= 0) {
                    rates.get(run.getKey()).add(count / seconds);
                }
            }
        }
        System.out.println("### " + title);
        System.out.println();
        System.out.println("| configuration | messages/s (median) | min | max |");
        System.out.println("|---|---:|---:|---:|");
        rates.forEach((name, list) -> {
            List<Double> sorted = list.stream().sorted().toList();
            System.out.printf("| %s | %,.0f | %,.0f | %,.0f |%n", name, sorted.get(sorted.size() / 2), sorted.get(0),
                    sorted.get(sorted.size() - 1));
        });
        System.out.println();
    }

    private static List<OutboxMessage> messages(String destination, int count) {
        List<OutboxMessage> messages = new ArrayList<>(count);
        String pad = "x".repeat(40);
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            String sagaId = UUID.randomUUID().toString();
            String key = sagaId + ":reserve-credit";
            messages.add(new OutboxMessage(UUID.randomUUID().toString(), sagaId, "bench", "reserve-credit", destination,
                    PAYLOAD.formatted(sagaId, pad), Map.of(OutboxMessage.IDEMPOTENCY_KEY_HEADER, key,
                            OutboxMessage.CORRELATION_ID_HEADER, key), now));
        }
        return messages;
    }
}
