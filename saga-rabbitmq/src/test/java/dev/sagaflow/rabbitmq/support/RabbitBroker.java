package dev.sagaflow.rabbitmq.support;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.sagaflow.messaging.TcpProxy;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * The RabbitMQ server the tests run against, found through {@code SAGAFLOW_RABBITMQ_URI} (default {@code
 * amqp://guest:guest@127.0.0.1:5672}), and an admin connection that declares the tests' queues and exchanges
 * (random names, deleted by {@link #close()}) so that tests never touch anyone else's. Not thread-safe.
 */
public final class RabbitBroker implements AutoCloseable {
    /** The broker's URI. */
    public static final String URI_TEXT = env("SAGAFLOW_RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672");

    private final Connection admin;
    private final List<String> queues = new ArrayList<>();
    private final List<String> exchanges = new ArrayList<>();

    private RabbitBroker(Connection admin) {
        this.admin = admin;
    }

    /** Connects the admin connection. */
    public static RabbitBroker connect() throws IOException, TimeoutException {
        return new RabbitBroker(factory().newConnection("sagaflow-test-admin"));
    }

    /** A connection factory for the broker. */
    public static ConnectionFactory factory() {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(URI.create(URI_TEXT));
        } catch (Exception e) {
            throw new IllegalStateException("bad SAGAFLOW_RABBITMQ_URI " + URI_TEXT, e);
        }
        factory.setConnectionTimeout(3_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** A connection factory for the broker, reached through {@code proxy}. */
    public static ConnectionFactory factoryThrough(TcpProxy proxy) {
        ConnectionFactory factory = factory();
        factory.setHost("127.0.0.1");
        factory.setPort(proxy.port());
        return factory;
    }

    /** Why the broker cannot be reached, or {@code null} if it answers. */
    public static String problem() {
        try (Connection connection = factory().newConnection("sagaflow-test-probe")) {
            return connection.isOpen() ? null : "the connection closed at once";
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Declares a durable queue with a random name starting with {@code prefix}; deleted on close. */
    public String queue(String prefix) throws IOException {
        return queue(prefix, Map.of());
    }

    /** Declares a durable queue with a random name and these arguments; deleted on close. */
    public String queue(String prefix, Map<String, Object> arguments) throws IOException {
        String name = prefix + "-" + UUID.randomUUID();
        try (Channel channel = admin.createChannel()) {
            channel.queueDeclare(name, true, false, false, arguments);
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
        queues.add(name);
        return name;
    }

    /** Declares a direct exchange with a random name, bound to nothing; deleted on close. */
    public String exchange(String prefix) throws IOException {
        String name = prefix + "-" + UUID.randomUUID();
        try (Channel channel = admin.createChannel()) {
            channel.exchangeDeclare(name, BuiltinExchangeType.DIRECT, false, true, null);
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
        exchanges.add(name);
        return name;
    }

    /** Publishes a message as a participant would, without confirms. */
    public void publish(String queue, com.rabbitmq.client.AMQP.BasicProperties properties, byte[] body)
            throws IOException {
        try (Channel channel = admin.createChannel()) {
            channel.basicPublish("", queue, properties, body);
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
    }

    /** Takes the next message of a queue (acknowledged), or {@code null} if it is empty. */
    public GetResponse get(String queue) throws IOException {
        try (Channel channel = admin.createChannel()) {
            return channel.basicGet(queue, true);
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
    }

    /** How many messages are ready in a queue. */
    public long count(String queue) throws IOException {
        try (Channel channel = admin.createChannel()) {
            return channel.messageCount(queue);
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
    }

    /** The admin connection, for what the helpers above do not cover. */
    public Connection admin() {
        return admin;
    }

    /** Deletes the queues and exchanges declared here and closes the admin connection. */
    @Override
    public void close() throws IOException {
        try (Channel channel = admin.createChannel()) {
            for (String queue : queues) {
                channel.queueDelete(queue);
            }
            for (String exchange : exchanges) {
                channel.exchangeDelete(exchange);
            }
        } catch (TimeoutException e) {
            throw new IOException(e);
        } finally {
            admin.abort();
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
