package dev.sagaflow.kafka;

import dev.sagaflow.internal.Checks;
import dev.sagaflow.kafka.internal.KafkaHeaders;
import dev.sagaflow.kafka.internal.SendErrors;
import dev.sagaflow.messaging.MessageRejectedException;
import dev.sagaflow.messaging.MessageSender;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.messaging.internal.SendOne;
import dev.sagaflow.store.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageSender} for Kafka: sends outbox messages with an idempotent producer ({@code
 * enable.idempotence=true}, {@code acks=all}) and returns only once every in-sync replica has them.
 *
 * <p><b>What a record carries.</b> The topic is the outbox message's destination; the key is the saga instance id
 * (an instance's commands share a partition); the value is the payload (JSON, UTF-8); the timestamp is when the
 * checkpoint was written; the headers are {@link SagaMessages#headers(OutboxMessage)} as UTF-8: idempotency key,
 * correlation id, message id, saga id, name and step.
 *
 * <p><b>Confirmed, refused, or failed.</b> A message is confirmed when its send completed. It is <b>refused for
 * good</b> ({@link MessageRejectedException}) when the broker says the record can never be written as it is: too
 * large, an invalid topic name, a topic the producer may not write, a record the broker calls invalid; and, unless
 * {@link Builder#allowUnknownTopics} is set, when its topic does not exist (asked once per topic with an admin
 * client, since a producer only times out on a missing topic). Everything else fails transiently and the relay sends
 * it again: the broker unreachable, no leader, not enough in-sync replicas, a timeout. A producer that can no longer
 * go on (fenced, out of sequence) is replaced by a new one before the next send.
 *
 * <p>The producer's own retries happen within {@link Builder#sendTimeout} ({@code delivery.timeout.ms}); its
 * idempotence keeps those retries from writing a record twice. A record whose acknowledgement is lost altogether
 * is sent again by the relay, with the same headers: consumers deduplicate by the idempotency key.
 *
 * <p>Thread-safe. A batch ({@link #sendAll}) is handed to the producer whole and its acknowledgements awaited
 * together, so the producer batches it.
 */
public final class KafkaMessageSender implements MessageSender, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaMessageSender.class);

    private final Map<String, Object> producerConfig;
    private final boolean allowUnknownTopics;
    private final Duration sendTimeout;
    private final Object lock = new Object();
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
    /** Guarded by lock. */
    private Producer<String, byte[]> producer;
    private Admin admin;
    private boolean closed;

    private KafkaMessageSender(Builder builder) {
        this.allowUnknownTopics = builder.allowUnknownTopics;
        this.sendTimeout = builder.sendTimeout;
        Map<String, Object> config = new HashMap<>(builder.config);
        Object acks = config.get(ProducerConfig.ACKS_CONFIG);
        Object idempotence = config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
        if ((acks != null && !"all".equals(String.valueOf(acks)) && !"-1".equals(String.valueOf(acks)))
                || (idempotence != null && !Boolean.parseBoolean(String.valueOf(idempotence)))) {
            throw new IllegalArgumentException("the outbox sender needs acks=all and enable.idempotence=true, was acks="
                    + acks + " enable.idempotence=" + idempotence);
        }
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, sendTimeout.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMillis);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis / 2);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMillis / 2);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sagaflow-outbox-sender");
        this.producerConfig = Map.copyOf(config);
    }

    /**
     * A builder of a sender whose producer has these settings ({@code bootstrap.servers} at least; security and
     * tuning as the host likes). The sender sets {@code acks=all}, {@code enable.idempotence=true}, its serializers
     * and {@code delivery.timeout.ms}; {@code request.timeout.ms} and {@code max.block.ms} default to half the send
     * timeout.
     */
    public static Builder builder(Map<String, Object> producerConfig) {
        return new Builder(producerConfig);
    }

    /**
     * Sends one message and waits until it is written.
     *
     * @throws MessageRejectedException if the broker refused it for good (see the class's rules)
     * @throws Exception any other failure, to be tried again later
     */
    @Override
    public void send(OutboxMessage message) throws Exception {
        SendOne.through(this, message);
    }

    /** Hands every message to the producer, then waits for their acknowledgements together. */
    @Override
    public Map<String, Exception> sendAll(List<OutboxMessage> messages) {
        Map<String, Exception> failures = new HashMap<>();
        Map<OutboxMessage, Future<RecordMetadata>> sends = new LinkedHashMap<>();
        Producer<String, byte[]> used;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the Kafka sender is closed");
            }
            used = producer();
            Exception unreachable = null;
            for (OutboxMessage message : messages) {
                if (unreachable != null) {
                    // The first send found no broker within max.block.ms: the rest would each wait as long.
                    failures.put(message.id(), unreachable);
                    continue;
                }
                try {
                    checkTopic(message);
                    Future<RecordMetadata> sent = used.send(record(message));
                    if (sent.isDone()) {
                        sent.get(); // failed at once, after max.block.ms without metadata: throws
                    }
                    sends.put(message, sent);
                } catch (MessageRejectedException e) {
                    failures.put(message.id(), e);
                } catch (KafkaException | TimeoutException | ExecutionException e) {
                    Exception failure = classify(message, e);
                    failures.put(message.id(), failure);
                    if (!(failure instanceof MessageRejectedException)) {
                        unreachable = failure;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    unreachable = e;
                    failures.put(message.id(), e);
                }
            }
        }
        long end = System.nanoTime() + sendTimeout.toNanos() + TimeUnit.SECONDS.toNanos(2);
        boolean replace = false;
        for (Map.Entry<OutboxMessage, Future<RecordMetadata>> entry : sends.entrySet()) {
            OutboxMessage message = entry.getKey();
            try {
                entry.getValue().get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Exception failure = classify(message, e.getCause());
                failures.put(message.id(), failure);
                replace |= SendErrors.of(e.getCause()) == SendErrors.FATAL;
            } catch (TimeoutException e) {
                failures.put(message.id(), new TimeoutException("no acknowledgement for message " + message.id()
                        + " within " + sendTimeout));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.put(message.id(), e);
                end = System.nanoTime();
            }
        }
        if (replace) {
            synchronized (lock) {
                if (producer == used) {
                    log.warn("Kafka sender: replacing its producer after a fatal error");
                    producer = null;
                    used.close(Duration.ZERO);
                }
            }
        }
        return failures;
    }

    private static Exception classify(OutboxMessage message, Throwable error) {
        Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
        if (SendErrors.of(cause) == SendErrors.POISON) {
            return new MessageRejectedException(cause.getClass().getSimpleName() + ": " + cause.getMessage(), message,
                    cause);
        }
        return cause instanceof Exception exception ? exception : new KafkaException(cause);
    }

    private ProducerRecord<String, byte[]> record(OutboxMessage message) {
        return new ProducerRecord<>(message.destination(), null, message.createdAt().toEpochMilli(), message.sagaId(),
                message.payload().getBytes(StandardCharsets.UTF_8), KafkaHeaders.of(SagaMessages.headers(message)));
    }

    /** Refuses a message for a topic that does not exist, unless unknown topics are allowed. Called under lock. */
    private void checkTopic(OutboxMessage message) throws ExecutionException, TimeoutException, InterruptedException {
        String topic = message.destination();
        if (allowUnknownTopics || knownTopics.contains(topic)) {
            return;
        }
        if (admin == null) {
            Map<String, Object> adminConfig = new HashMap<>(producerConfig);
            adminConfig.keySet().retainAll(AdminClientConfig.configNames());
            adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "sagaflow-outbox-sender-admin");
            admin = Admin.create(adminConfig);
        }
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(sendTimeout.toMillis() / 2, TimeUnit.MILLISECONDS);
            knownTopics.add(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new MessageRejectedException("topic '" + topic + "' does not exist", message, e.getCause());
            }
            throw e;
        }
    }

    /** The producer, created when first needed. Called under lock. */
    private Producer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig);
        }
        return producer;
    }

    /** Closes the producer (waiting up to the send timeout for records in flight) and the admin client. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (producer != null) {
                producer.close(sendTimeout);
                producer = null;
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(1));
                admin = null;
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaMessageSender[" + producerConfig.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + ", sendTimeout="
                + sendTimeout + ", allowUnknownTopics=" + allowUnknownTopics + "]";
    }

    /** Settings of a {@link KafkaMessageSender}. Not thread-safe; {@link #build()} copies them. */
    public static final class Builder {
        private final Map<String, Object> config;
        private boolean allowUnknownTopics;
        private Duration sendTimeout = Duration.ofSeconds(10);

        private Builder(Map<String, Object> config) {
            Checks.notNull(config, "producerConfig");
            if (config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
                throw new IllegalArgumentException("producerConfig needs " + ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
            }
            this.config = new HashMap<>(config);
        }

        /**
         * How long a send may take, the producer's retries included ({@code delivery.timeout.ms}); keep it well
         * below half the relay's lease. Default 10 s.
         */
        public Builder sendTimeout(Duration sendTimeout) {
            this.sendTimeout = Checks.atMost(Checks.positive(sendTimeout, "sendTimeout"), Duration.ofDays(1),
                    "sendTimeout");
            return this;
        }

        /**
         * Sends to topics that do not exist yet (for clusters that create topics on first use); such a send then
         * retries until the topic appears. Default {@code false}: a message for a missing topic is refused for good.
         */
        public Builder allowUnknownTopics(boolean allowUnknownTopics) {
            this.allowUnknownTopics = allowUnknownTopics;
            return this;
        }

        /** A sender with these settings; its producer is created when it first sends. */
        public KafkaMessageSender build() {
            return new KafkaMessageSender(this);
        }
    }
}
