package dev.sagaflow.rabbitmq.example;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * The example's two queues, named {@code sagaflow-example-customer-commands-<run>} and {@code
 * sagaflow-example-order-replies-<run>} so that runs and the broker tests never share one; durable, declared on
 * start and deleted by {@link #close()}. A run that is killed leaves them behind for at most {@link #EXPIRES_MILLIS}
 * ({@code x-expires}: the broker deletes a queue nobody used for that long). Not thread-safe.
 */
final class ExampleQueues implements AutoCloseable {
    /** The prefix of every queue the example declares. */
    static final String PREFIX = "sagaflow-example-";
    static final long EXPIRES_MILLIS = 10 * 60 * 1_000;

    private final Connection admin;
    private final String commands;
    private final String replies;

    private ExampleQueues(Connection admin, String run) {
        this.admin = admin;
        this.commands = PREFIX + "customer-commands-" + run;
        this.replies = PREFIX + "order-replies-" + run;
    }

    /** Connects and declares both queues. */
    static ExampleQueues declare(ConnectionFactory factory) throws IOException, TimeoutException {
        ExampleQueues queues = new ExampleQueues(factory.newConnection("sagaflow-example-admin"),
                UUID.randomUUID().toString().substring(0, 8));
        try (Channel channel = queues.admin.createChannel()) {
            for (String queue : new String[] {queues.commands, queues.replies}) {
                channel.queueDeclare(queue, true, false, false, Map.of("x-expires", EXPIRES_MILLIS));
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            queues.admin.abort();
            throw e;
        }
        return queues;
    }

    /** Where the order service sends the customer service its commands. */
    String commands() {
        return commands;
    }

    /** Where the customer service replies. */
    String replies() {
        return replies;
    }

    /** Deletes both queues and closes the connection. */
    @Override
    public void close() throws IOException, TimeoutException {
        try (Channel channel = admin.createChannel()) {
            channel.queueDelete(commands);
            channel.queueDelete(replies);
        } finally {
            admin.abort();
        }
    }
}
