package dev.sagaflow.kafka;

import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.internal.Checks;
import dev.sagaflow.kafka.internal.KafkaHeaders;
import dev.sagaflow.messaging.ReplyHandler;
import dev.sagaflow.messaging.ReplyHandler.Decision;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes saga replies from Kafka topics and delivers them to an orchestrator, committing a record's offset only
 * once the reply is durable in the saga store or definitely rejected ({@link ReplyHandler}'s rule): late replies and
 * duplicates (a record read again after a rebalance or a restart, before its offset was committed) are committed
 * past and never applied twice; a reply that could not be recorded (the store is down) is not committed, and the
 * consumer reads its partition again from that record after {@link Builder#retryDelay}; a record that is no
 * Sagaflow reply is logged at ERROR and committed past. A reply record is as {@link
 * dev.sagaflow.messaging.SagaMessages} describes, with UTF-8 header values.
 *
 * <p>Offsets are committed synchronously after each polled batch, for the records handled; automatic commits are
 * off. Records of a partition are handled in order, one at a time.
 *
 * <p><b>Threads.</b> {@link #start()} runs the poll loop on a daemon thread {@code sagaflow-kafka-replies-<group>},
 * which owns the consumer (a Kafka consumer is not thread-safe); {@link #close()} wakes it, commits, and closes the
 * consumer. The consumer reconnects by itself when the broker comes back. This class is thread-safe.
 */
public final class KafkaReplyConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaReplyConsumer.class);

    private final Map<String, Object> consumerConfig;
    private final List<String> topics;
    private final ReplyHandler handler;
    private final Duration pollTimeout;
    private final Duration retryDelay;
    private final Object monitor = new Object();
    private Consumer<byte[], byte[]> consumer;
    private Thread thread;
    private volatile boolean closed;

    private KafkaReplyConsumer(Builder builder) {
        Map<String, Object> config = new HashMap<>(builder.config);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // A reply written before the group first joined must still be read.
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumerConfig = Map.copyOf(config);
        this.topics = List.copyOf(builder.topics);
        this.handler = ReplyHandler.of(builder.orchestrator);
        this.pollTimeout = builder.pollTimeout;
        this.retryDelay = builder.retryDelay;
    }

    /**
     * A builder of a consumer of {@code topics} with these settings ({@code bootstrap.servers} and {@code group.id}
     * at least) that delivers replies to {@code orchestrator}. The consumer turns automatic commits off, sets its
     * deserializers, and defaults {@code auto.offset.reset} to {@code earliest}.
     */
    public static Builder builder(Map<String, Object> consumerConfig, List<String> topics, SagaOrchestrator orchestrator) {
        return new Builder(consumerConfig, topics, orchestrator);
    }

    /**
     * Starts the poll loop.
     *
     * @throws IllegalStateException if it was started or closed before
     */
    public void start() {
        synchronized (monitor) {
            if (thread != null || closed) {
                throw new IllegalStateException("the reply consumer of " + topics + " was already "
                        + (closed ? "closed" : "started"));
            }
            consumer = new KafkaConsumer<>(consumerConfig);
            consumer.subscribe(topics);
            thread = new Thread(this::loop, "sagaflow-kafka-replies-" + consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG));
            thread.setDaemon(true);
            thread.start();
        }
        log.info("reply consumer started on {} (group {})", topics, consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG));
    }

    private void loop() {
        try {
            while (!closed) {
                try {
                    pollOnce();
                } catch (WakeupException e) {
                    // close() woke the consumer
                } catch (RuntimeException e) {
                    log.warn("reply consumer of {}: {}; going on", topics, e.toString());
                    pause(retryDelay);
                }
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("closing the reply consumer failed: {}", e.toString());
            }
        }
    }

    private void pollOnce() {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
        Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
        boolean retry = false;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                Decision decision = handler.handle(KafkaHeaders.text(record.headers()), record.value());
                if (decision == Decision.REQUEUE) {
                    // Read this partition again from this record; later records of it wait, in order.
                    consumer.seek(partition, record.offset());
                    retry = true;
                    break;
                }
                handled.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        if (!handled.isEmpty()) {
            consumer.commitSync(handled);
        }
        if (retry) {
            pause(retryDelay);
        }
    }

    private void pause(Duration duration) {
        synchronized (monitor) {
            long end = System.nanoTime() + duration.toNanos();
            long left;
            try {
                while (!closed && (left = end - System.nanoTime()) > 0) {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the loop, commits what was handled, and closes the consumer. Idempotent. */
    @Override
    public void close() {
        Thread running;
        synchronized (monitor) {
            if (closed) {
                return;
            }
            closed = true;
            running = thread;
            monitor.notifyAll();
            if (consumer != null) {
                consumer.wakeup();
            }
        }
        if (running != null) {
            try {
                running.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaReplyConsumer[" + topics + ", group " + consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG) + "]";
    }

    /** Settings of a {@link KafkaReplyConsumer}. Not thread-safe; {@link #build()} copies them. */
    public static final class Builder {
        private final Map<String, Object> config;
        private final List<String> topics;
        private final SagaOrchestrator orchestrator;
        private Duration pollTimeout = Duration.ofMillis(500);
        private Duration retryDelay = Duration.ofSeconds(1);

        private Builder(Map<String, Object> config, List<String> topics, SagaOrchestrator orchestrator) {
            Checks.notNull(config, "consumerConfig");
            for (String required : List.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG)) {
                if (config.get(required) == null) {
                    throw new IllegalArgumentException("consumerConfig needs " + required);
                }
            }
            if (Checks.notNull(topics, "topics").isEmpty()) {
                throw new IllegalArgumentException("topics cannot be empty");
            }
            this.config = new HashMap<>(config);
            this.topics = List.copyOf(topics);
            this.orchestrator = Checks.notNull(orchestrator, "orchestrator");
        }

        /** The longest a poll waits for records. Default 500 ms. */
        public Builder pollTimeout(Duration pollTimeout) {
            this.pollTimeout = Checks.positiveBounded(pollTimeout, "pollTimeout");
            return this;
        }

        /** How long the consumer waits before it reads again a reply it could not record. Default 1 s. */
        public Builder retryDelay(Duration retryDelay) {
            this.retryDelay = Checks.positiveBounded(retryDelay, "retryDelay");
            return this;
        }

        /** A consumer with these settings, not started. */
        public KafkaReplyConsumer build() {
            return new KafkaReplyConsumer(this);
        }
    }
}
