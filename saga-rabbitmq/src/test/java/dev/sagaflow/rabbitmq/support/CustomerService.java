package dev.sagaflow.rabbitmq.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.rabbitmq.internal.AmqpHeaders;
import dev.sagaflow.store.OutboxMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The customer service of the order saga, as a process of its own that shares only RabbitMQ with the order
 * service: it consumes {@code {"type":"reserve"|"release","order":...,"cents":...}} commands, applies each
 * idempotency key once (a repeated key is acknowledged and ignored), reserves credit up to a limit (a reservation
 * over it gets a failure reply), releases reservations, and answers reserve commands on the reply queue with the
 * command's correlation id. It appends every effect it applies to a ledger file, {@code <key> <effect> <order>
 * <cents>} per line, which the test reads. Runs until its standard input closes.
 *
 * <pre>java -cp ... CustomerService amqpUri commandQueue replyQueue creditLimitCents ledgerFile</pre>
 */
public final class CustomerService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CustomerService() {
    }

    public static void main(String[] args) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI.create(args[0]));
        String commands = args[1];
        String replies = args[2];
        long limit = Long.parseLong(args[3]);
        Path ledgerFile = Path.of(args[4]);
        Set<String> appliedKeys = new HashSet<>();
        Map<String, Long> reserved = new HashMap<>();
        long[] used = {0};
        try (Connection connection = factory.newConnection("customer-service");
                PrintWriter ledger = new PrintWriter(Files.newBufferedWriter(ledgerFile, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            Channel channel = connection.createChannel();
            channel.basicQos(10);
            channel.basicConsume(commands, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    Map<String, String> headers = AmqpHeaders.text(properties);
                    String key = headers.get(OutboxMessage.IDEMPOTENCY_KEY_HEADER);
                    JsonNode command = JSON.readTree(body);
                    String order = command.get("order").asText();
                    long cents = command.get("cents").asLong();
                    boolean reserve = command.get("type").asText().equals("reserve");
                    boolean fresh = appliedKeys.add(key);
                    String outcome = SagaMessages.SUCCESS;
                    String reply = "{\"reservationId\":\"r-" + order + "\"}";
                    if (reserve) {
                        if (!fresh) {
                            // A redelivery: the reservation (or refusal) stands; answer the same again.
                            outcome = reserved.containsKey(order) ? SagaMessages.SUCCESS : SagaMessages.FAILURE;
                        } else if (used[0] + cents > limit) {
                            outcome = SagaMessages.FAILURE;
                            ledger.println(key + " refused " + order + " " + cents);
                        } else {
                            used[0] += cents;
                            reserved.put(order, cents);
                            ledger.println(key + " reserved " + order + " " + cents);
                        }
                        if (outcome.equals(SagaMessages.FAILURE)) {
                            reply = "credit limit exceeded";
                        }
                        Map<String, Object> replyHeaders = new HashMap<>(outcome.equals(SagaMessages.SUCCESS)
                                ? SagaMessages.successReplyHeaders(headers.get(OutboxMessage.CORRELATION_ID_HEADER))
                                : SagaMessages.failureReplyHeaders(headers.get(OutboxMessage.CORRELATION_ID_HEADER)));
                        getChannel().basicPublish("", replies, new AMQP.BasicProperties.Builder()
                                .headers(replyHeaders).deliveryMode(2).build(), reply.getBytes(StandardCharsets.UTF_8));
                    } else if (fresh) {
                        Long released = reserved.remove(order);
                        if (released != null) {
                            used[0] -= released;
                        }
                        ledger.println(key + " released " + order + " " + (released == null ? 0 : released));
                    }
                    if (!fresh) {
                        ledger.println(key + " duplicate " + order + " " + cents);
                    }
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            System.out.println("customer service ready");
            System.out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Thread watcher = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // runs until the parent closes our standard input
                    }
                } catch (IOException e) {
                    // the parent is gone
                }
                stop.countDown();
            });
            watcher.setDaemon(true);
            watcher.start();
            stop.await();
        }
    }
}
