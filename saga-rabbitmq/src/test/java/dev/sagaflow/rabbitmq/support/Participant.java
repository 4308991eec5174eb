package dev.sagaflow.rabbitmq.support;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.rabbitmq.internal.AmqpHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

/**
 * A participant as the README asks for one: it consumes commands from a queue (manual acks) and applies each
 * idempotency key at most once, ignoring a command whose key it has applied before. Records every delivery.
 * Thread-safe.
 */
public final class Participant implements AutoCloseable {
    /** One delivery of a command. */
    public record Delivery(String messageId, String idempotencyKey, String correlationId, String sagaId, String body,
            boolean redelivered, Map<String, String> headers) {
    }

    private final Connection connection;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private final List<String> appliedInOrder = new CopyOnWriteArrayList<>();

    private Participant(Connection connection) {
        this.connection = connection;
    }

    /** Starts consuming {@code queue}. */
    public static Participant consume(ConnectionFactory factory, String queue) throws IOException, TimeoutException {
        Participant participant = new Participant(factory.newConnection("sagaflow-test-participant"));
        Channel channel = participant.connection.createChannel();
        channel.basicQos(100);
        channel.basicConsume(queue, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                participant.receive(envelope, properties, body);
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
        return participant;
    }

    private void receive(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        Map<String, String> headers = AmqpHeaders.text(properties);
        String key = headers.get(OutboxMessage.IDEMPOTENCY_KEY_HEADER);
        deliveries.add(new Delivery(properties.getMessageId(), key, properties.getCorrelationId(),
                headers.get("sagaflow-saga-id"), new String(body, StandardCharsets.UTF_8), envelope.isRedeliver(),
                headers));
        if (applied.add(key)) {
            appliedInOrder.add(key);
        }
    }

    /** Every delivery so far, in order. */
    public List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    /** The idempotency keys applied, each once, in the order first received. */
    public List<String> applied() {
        return new ArrayList<>(appliedInOrder);
    }

    @Override
    public void close() {
        connection.abort();
    }
}
