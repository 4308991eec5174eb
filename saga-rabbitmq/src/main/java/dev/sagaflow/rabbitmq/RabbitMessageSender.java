package dev.sagaflow.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.sagaflow.internal.Checks;
import dev.sagaflow.messaging.MessageRejectedException;
import dev.sagaflow.messaging.MessageSender;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.messaging.internal.SendOne;
import dev.sagaflow.rabbitmq.internal.Destination;
import dev.sagaflow.store.OutboxMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageSender} for RabbitMQ: publishes outbox messages with publisher confirms on one connection of
 * its own, and returns only once the broker confirmed them.
 *
 * <p><b>Destinations.</b> An outbox message's destination is {@code exchange/routing-key}, or a queue name alone
 * (the default exchange, which routes to the queue of that name).
 *
 * <p><b>What a message carries.</b> The payload as the body ({@code application/json}, UTF-8), persistent
 * (delivery mode 2); the AMQP {@code message_id} is the outbox message id and {@code correlation_id} its
 * correlation id; the headers are {@link SagaMessages#headers(OutboxMessage)}: idempotency key, correlation id,
 * message id, saga id, name and step.
 *
 * <p><b>Confirmed, refused, or failed.</b> A message is confirmed when the broker acknowledged it ({@code
 * basic.ack} of publisher confirms). Every message is published {@code mandatory}: one the broker cannot route to
 * any queue comes back ({@code basic.return}) and is <b>refused for good</b> ({@link MessageRejectedException},
 * the poison rule), as is one for an exchange that does not exist (checked with a passive declare before the
 * first publish to it) and one larger than {@link Builder#maxMessageBytes}. Everything else fails transiently and
 * the relay sends it again: no connection, a connection or channel that closed before the confirm, a negative
 * confirm ({@code basic.nack}: an internal broker error, or a queue at its length limit with {@code
 * reject-publish}), no confirm within {@link Builder#confirmTimeout}. An operator who adds the missing queue or
 * binding retries a refused message with {@link dev.sagaflow.store.OutboxStore#retryOutbox(String)}.
 *
 * <p><b>Connection.</b> The sender connects when it first sends and again after its connection broke, with the
 * given factory's settings (host, credentials, TLS, timeouts) but without the client's automatic recovery: a broken
 * connection fails its unconfirmed messages at once, and the relay's backoff paces the reconnections.
 *
 * <p>Thread-safe: publishes are serialised on the one channel; the confirms of a batch ({@link #sendAll}) are
 * awaited together, so a batch costs about one round trip.
 */
public final class RabbitMessageSender implements MessageSender, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RabbitMessageSender.class);
    private static final int NOT_FOUND = 404;

    private final ConnectionFactory factory;
    private final Duration confirmTimeout;
    private final int maxMessageBytes;
    private final String connectionName;
    private final Object lock = new Object();
    private final Set<String> knownExchanges = ConcurrentHashMap.newKeySet();
    /** The current connection and channel; guarded by lock. */
    private Link link;
    private boolean closed;

    private RabbitMessageSender(Builder builder) {
        this.factory = builder.factory.clone();
        this.factory.setAutomaticRecoveryEnabled(false);
        this.factory.setTopologyRecoveryEnabled(false);
        this.confirmTimeout = builder.confirmTimeout;
        this.maxMessageBytes = builder.maxMessageBytes;
        this.connectionName = builder.connectionName;
    }

    /** A builder of a sender that connects with (a copy of) {@code factory}'s settings. */
    public static Builder builder(ConnectionFactory factory) {
        return new Builder(factory);
    }

    /**
     * Publishes one message and waits for its confirm.
     *
     * @throws MessageRejectedException if the broker refused it for good (see the class's rules)
     * @throws IOException if there is no connection, or it broke before the confirm, or the broker nacked it
     * @throws TimeoutException if no confirm came within the confirm timeout
     */
    @Override
    public void send(OutboxMessage message) throws Exception {
        SendOne.through(this, message);
    }

    /** Publishes every message, then waits for their confirms together (up to the confirm timeout in all). */
    @Override
    public Map<String, Exception> sendAll(List<OutboxMessage> messages) {
        Map<String, Exception> failures = new HashMap<>();
        Map<OutboxMessage, CompletableFuture<Void>> confirms = new LinkedHashMap<>();
        Link used;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the RabbitMQ sender is closed");
            }
            try {
                used = link();
            } catch (IOException | TimeoutException | RuntimeException e) {
                for (OutboxMessage message : messages) {
                    failures.put(message.id(), e);
                }
                return failures;
            }
            for (OutboxMessage message : messages) {
                try {
                    confirms.put(message, publish(used, message));
                } catch (MessageRejectedException | IOException | TimeoutException e) {
                    failures.put(message.id(), e);
                } catch (AlreadyClosedException e) {
                    failures.put(message.id(), new IOException("the channel closed: " + e.getMessage(), e));
                }
            }
        }
        long end = System.nanoTime() + confirmTimeout.toNanos();
        boolean timedOut = false;
        for (Map.Entry<OutboxMessage, CompletableFuture<Void>> entry : confirms.entrySet()) {
            String id = entry.getKey().id();
            try {
                entry.getValue().get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                failures.put(id, e.getCause() instanceof Exception cause ? cause : new IOException(e.getCause()));
            } catch (TimeoutException e) {
                timedOut = true;
                failures.put(id, new TimeoutException("no publisher confirm for message " + id + " within "
                        + confirmTimeout));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.put(id, e);
                end = System.nanoTime();
            }
        }
        if (timedOut) {
            // Late confirms of this channel would mean nothing to anyone: start again on a fresh one.
            synchronized (lock) {
                if (link == used) {
                    link = null;
                    used.abort();
                }
            }
        }
        return failures;
    }

    private CompletableFuture<Void> publish(Link to, OutboxMessage message) throws IOException, TimeoutException {
        Destination destination;
        try {
            destination = Destination.parse(message.destination());
        } catch (IllegalArgumentException e) {
            throw new MessageRejectedException(e.getMessage(), message, null);
        }
        byte[] body = message.payload().getBytes(StandardCharsets.UTF_8);
        if (body.length > maxMessageBytes) {
            throw new MessageRejectedException("the message has " + body.length + " bytes, more than the "
                    + maxMessageBytes + " the sender allows", message, null);
        }
        if (!destination.exchange().isEmpty() && !knownExchanges.contains(destination.exchange())) {
            checkExchange(to, destination.exchange(), message);
        }
        return to.publish(message, destination, properties(message), body);
    }

    /** A passive declare on a channel of its own (a missing exchange closes the channel it is asked on). */
    private void checkExchange(Link to, String exchange, OutboxMessage message) throws IOException, TimeoutException {
        Channel probe = to.connection.createChannel();
        try {
            probe.exchangeDeclarePassive(exchange);
            knownExchanges.add(exchange);
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException signal && replyCode(signal) == NOT_FOUND) {
                throw new MessageRejectedException("exchange '" + exchange + "' does not exist", message, e);
            }
            throw e;
        } finally {
            if (probe.isOpen()) {
                probe.abort();
            }
        }
    }

    private static int replyCode(ShutdownSignalException signal) {
        return signal.getReason() instanceof AMQP.Channel.Close close ? close.getReplyCode() : -1;
    }

    private static AMQP.BasicProperties properties(OutboxMessage message) {
        return new AMQP.BasicProperties.Builder()
                .messageId(message.id())
                .correlationId(message.headers().get(OutboxMessage.CORRELATION_ID_HEADER))
                .contentType("application/json")
                .contentEncoding("UTF-8")
                .deliveryMode(2)
                .timestamp(Date.from(message.createdAt()))
                .headers(new HashMap<>(SagaMessages.headers(message)))
                .build();
    }

    /** The open link, connecting first if there is none. Called under lock. */
    private Link link() throws IOException, TimeoutException {
        if (link != null && link.channel.isOpen()) {
            return link;
        }
        if (link != null) {
            link.abort();
            link = null;
            // An exchange may have been deleted meanwhile: a channel closed by a publish to it must not loop.
            knownExchanges.clear();
        }
        link = Link.open(factory, connectionName);
        log.info("RabbitMQ sender connected to {}:{} ({})", factory.getHost(), factory.getPort(), connectionName);
        return link;
    }

    /** Closes the connection. Idempotent; unconfirmed messages of a batch in progress fail transiently. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (link != null) {
                link.close();
                link = null;
            }
        }
    }

    @Override
    public String toString() {
        return "RabbitMessageSender[" + factory.getHost() + ":" + factory.getPort() + ", confirmTimeout="
                + confirmTimeout + ", maxMessageBytes=" + maxMessageBytes + "]";
    }

    /** One connection with one confirming channel, and the confirms it still owes. */
    private static final class Link {
        private record Pending(OutboxMessage message, CompletableFuture<Void> confirmed) {
        }

        final Connection connection;
        final Channel channel;
        private final ConcurrentNavigableMap<Long, Pending> outstanding = new ConcurrentSkipListMap<>();
        /** Why the broker returned a message, by message id, until its confirm arrives. */
        private final Map<String, String> returned = new ConcurrentHashMap<>();

        private Link(Connection connection, Channel channel) {
            this.connection = connection;
            this.channel = channel;
        }

        static Link open(ConnectionFactory factory, String name) throws IOException, TimeoutException {
            Connection connection = factory.newConnection(name);
            try {
                Channel channel = connection.createChannel();
                channel.confirmSelect();
                Link link = new Link(connection, channel);
                // The broker sends basic.return before the basic.ack of the same message, and both arrive on the
                // connection's reader thread in that order.
                channel.addReturnListener(returned -> link.returned.put(String.valueOf(returned.getProperties()
                        .getMessageId()), "unroutable (" + returned.getReplyCode() + " " + returned.getReplyText()
                        + "): no queue is bound for exchange '" + returned.getExchange() + "' routing key '"
                        + returned.getRoutingKey() + "'"));
                channel.addConfirmListener((tag, multiple) -> link.confirm(tag, multiple, null),
                        (tag, multiple) -> link.confirm(tag, multiple, "the broker nacked the message"));
                channel.addShutdownListener(link::failAll);
                return link;
            } catch (IOException | RuntimeException e) {
                connection.abort();
                throw e;
            }
        }

        CompletableFuture<Void> publish(OutboxMessage message, Destination destination, AMQP.BasicProperties properties,
                byte[] body) throws IOException {
            long seq = channel.getNextPublishSeqNo();
            Pending pending = new Pending(message, new CompletableFuture<>());
            outstanding.put(seq, pending);
            try {
                channel.basicPublish(destination.exchange(), destination.routingKey(), true, properties, body);
            } catch (IOException | RuntimeException e) {
                outstanding.remove(seq);
                throw e;
            }
            return pending.confirmed;
        }

        private void confirm(long tag, boolean multiple, String nack) {
            Map<Long, Pending> done = multiple ? outstanding.headMap(tag, true) : subMap(tag);
            for (Long seq : List.copyOf(done.keySet())) {
                Pending pending = outstanding.remove(seq);
                if (pending == null) {
                    continue;
                }
                String unroutable = returned.remove(pending.message.id());
                if (unroutable != null) {
                    pending.confirmed.completeExceptionally(new MessageRejectedException(unroutable, pending.message,
                            null));
                } else if (nack != null) {
                    pending.confirmed.completeExceptionally(new IOException(nack + " (message " + pending.message.id()
                            + "); it is sent again"));
                } else {
                    pending.confirmed.complete(null);
                }
            }
        }

        private Map<Long, Pending> subMap(long tag) {
            return outstanding.subMap(tag, true, tag, true);
        }

        private void failAll(ShutdownSignalException cause) {
            for (Long seq : List.copyOf(outstanding.keySet())) {
                Pending pending = outstanding.remove(seq);
                if (pending != null) {
                    pending.confirmed.completeExceptionally(new IOException("the channel closed before the broker"
                            + " confirmed message " + pending.message.id() + ": " + cause.getMessage(), cause));
                }
            }
        }

        void abort() {
            connection.abort();
        }

        void close() {
            try {
                connection.close(1_000);
            } catch (IOException | RuntimeException e) {
                connection.abort();
            }
        }
    }

    /** Settings of a {@link RabbitMessageSender}. Not thread-safe; {@link #build()} copies them. */
    public static final class Builder {
        private final ConnectionFactory factory;
        private Duration confirmTimeout = Duration.ofSeconds(10);
        private int maxMessageBytes = 16 * 1024 * 1024;
        private String connectionName = "sagaflow-outbox-sender";

        private Builder(ConnectionFactory factory) {
            this.factory = Checks.notNull(factory, "factory");
        }

        /**
         * How long a send waits for the broker's confirms before it fails transiently. Keep it well below half the
         * relay's lease. Default 10 s.
         */
        public Builder confirmTimeout(Duration confirmTimeout) {
            this.confirmTimeout = Checks.positiveBounded(confirmTimeout, "confirmTimeout");
            return this;
        }

        /**
         * The largest body, in bytes, the sender publishes; a larger message is refused for good. Set it to the
         * broker's {@code max_message_size} or below: the broker closes the channel on a larger message, which
         * would look transient. Default 16 MiB (RabbitMQ 4's default limit).
         */
        public Builder maxMessageBytes(int maxMessageBytes) {
            this.maxMessageBytes = Checks.atLeast(maxMessageBytes, 1, "maxMessageBytes");
            return this;
        }

        /** The connection's name, as the management UI shows it. Default {@code sagaflow-outbox-sender}. */
        public Builder connectionName(String connectionName) {
            this.connectionName = Checks.notBlank(connectionName, "connectionName");
            return this;
        }

        /** A sender with these settings; it connects when it first sends. */
        public RabbitMessageSender build() {
            return new RabbitMessageSender(this);
        }
    }
}
