package dev.sagaflow.rabbitmq.example;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.rabbitmq.example.CustomerLedger.Account;
import dev.sagaflow.rabbitmq.example.CustomerLedger.Entry;
import dev.sagaflow.rabbitmq.example.OrderSaga.CreditCommand;
import dev.sagaflow.rabbitmq.example.OrderSaga.CreditReserved;
import dev.sagaflow.store.OutboxMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The customer service, a process of its own that shares only RabbitMQ with the order service. It consumes
 * reserve-credit and release-credit commands (manual acks), applies each idempotency key once (a command received
 * again gets the same answer and changes nothing), reserves credit up to each customer's limit, releases
 * reservations, and answers reserve-credit commands on the reply queue with the command's correlation id. A reply
 * is published with a publisher confirm before its command is acknowledged, so neither is lost if this process
 * dies in between (the command comes again and gets the same answer).
 *
 * <p>It runs until its standard input closes; then it lets every command already queued reach it (it sends a
 * marker through its own queue and waits for it), prints its ledger ({@link CustomerLedger#lines()}) and exits.
 * Its ledger and its applied keys are in memory to keep the example short; a real service keeps them in its own
 * database and records the key in the same transaction as the effect.
 *
 * <pre>java -cp ... CustomerServiceMain amqpUri commandQueue replyQueue customer=limitCents...</pre>
 */
public final class CustomerServiceMain {
    /** The line printed once the service consumes its queue. */
    public static final String READY = "customer service ready";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKER_HEADER = "sagaflow-example-drain-marker";
    private static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

    private final Map<String, Long> limits = new LinkedHashMap<>();
    private final Map<String, Long> reservedByCustomer = new HashMap<>();
    private final Map<String, Long> reservedByOrder = new HashMap<>();
    /** The answer given to each idempotency key applied: null for a release, which is not answered. */
    private final Map<String, Reply> answers = new HashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private long duplicates;

    private record Reply(boolean success, byte[] body) {
    }

    private CustomerServiceMain(Map<String, Long> limits) {
        this.limits.putAll(limits);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: CustomerServiceMain amqpUri commandQueue replyQueue customer=limitCents...");
            System.exit(2);
        }
        Map<String, Long> limits = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            String[] pair = args[i].split("=", 2);
            limits.put(pair[0], Long.parseLong(pair[1]));
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI.create(args[0]));
        CustomerServiceMain service = new CustomerServiceMain(limits);
        service.serve(factory, args[1], args[2]).lines().forEach(System.out::println);
        System.out.flush();
    }

    /** Serves until standard input closes and every command queued by then was handled; returns the ledger. */
    private CustomerLedger serve(ConnectionFactory factory, String commands, String replies) throws Exception {
        try (Connection connection = factory.newConnection("sagaflow-example-customer-service")) {
            Channel channel = connection.createChannel();
            channel.basicQos(10);
            channel.confirmSelect();
            CountDownLatch drained = new CountDownLatch(1);
            String tag = channel.basicConsume(commands, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) throws IOException {
                    Map<String, String> headers = headers(properties);
                    if (headers.containsKey(MARKER_HEADER)) {
                        drained.countDown();
                    } else {
                        handle(getChannel(), replies, headers, body);
                    }
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            System.out.println(READY);
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the order service closes our standard input
            }
            // Every command the order service sent was confirmed into the queue before it closed our input, so
            // the marker queues up behind them all.
            try (Channel marker = connection.createChannel()) {
                marker.basicPublish("", commands, new AMQP.BasicProperties.Builder()
                        .headers(Map.of(MARKER_HEADER, "true")).build(), new byte[0]);
            }
            if (!drained.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the drain marker did not come back through " + commands);
            }
            channel.basicCancel(tag);
            return ledger();
        }
    }

    private void handle(Channel channel, String replies, Map<String, String> headers, byte[] body)
            throws IOException {
        String key = headers.get(OutboxMessage.IDEMPOTENCY_KEY_HEADER);
        CreditCommand command = JSON.readValue(body, CreditCommand.class);
        Reply answer;
        if (answers.containsKey(key)) {
            duplicates++;
            answer = answers.get(key);
        } else {
            answer = command.type().equals(CreditCommand.RESERVE) ? reserve(command, key) : release(command, key);
            answers.put(key, answer);
        }
        if (answer != null) {
            String correlationId = headers.get(OutboxMessage.CORRELATION_ID_HEADER);
            Map<String, Object> replyHeaders = new HashMap<>(answer.success()
                    ? SagaMessages.successReplyHeaders(correlationId)
                    : SagaMessages.failureReplyHeaders(correlationId));
            channel.basicPublish("", replies, new AMQP.BasicProperties.Builder().headers(replyHeaders)
                    .correlationId(correlationId).deliveryMode(2).build(), answer.body());
            try {
                channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
            } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
                throw new IOException("the reply to " + key + " was not confirmed", e);
            }
        }
    }

    private Reply reserve(CreditCommand command, String key) throws IOException {
        Long limit = limits.get(command.customer());
        long reserved = reservedByCustomer.getOrDefault(command.customer(), 0L);
        if (limit == null || reserved + command.cents() > limit) {
            entries.add(new Entry(CustomerLedger.REFUSED, command.order(), command.customer(), command.cents(), key));
            String reason = limit == null ? "unknown customer " + command.customer()
                    : "credit limit exceeded: " + command.customer() + " has " + CustomerLedger.money(limit - reserved)
                            + " left, order " + command.order() + " needs " + CustomerLedger.money(command.cents());
            return new Reply(false, reason.getBytes(StandardCharsets.UTF_8));
        }
        reservedByCustomer.put(command.customer(), reserved + command.cents());
        reservedByOrder.put(command.order(), command.cents());
        entries.add(new Entry(CustomerLedger.RESERVED, command.order(), command.customer(), command.cents(), key));
        CreditReserved reply = new CreditReserved("r-" + command.order(), limit - reserved - command.cents());
        return new Reply(true, JSON.writeValueAsBytes(reply));
    }

    private Reply release(CreditCommand command, String key) {
        Long cents = reservedByOrder.remove(command.order());
        if (cents != null) {
            reservedByCustomer.merge(command.customer(), -cents, Long::sum);
            entries.add(new Entry(CustomerLedger.RELEASED, command.order(), command.customer(), cents, key));
        }
        return null;
    }

    private CustomerLedger ledger() {
        List<Account> accounts = new ArrayList<>();
        limits.forEach((customer, limit) ->
                accounts.add(new Account(customer, limit, reservedByCustomer.getOrDefault(customer, 0L))));
        return new CustomerLedger(accounts, entries, duplicates);
    }

    private static Map<String, String> headers(AMQP.BasicProperties properties) {
        Map<String, String> text = new HashMap<>();
        if (properties.getHeaders() != null) {
            properties.getHeaders().forEach((name, value) -> text.put(name, String.valueOf(value)));
        }
        return text;
    }
}
