package dev.sagaflow.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.internal.Checks;
import dev.sagaflow.messaging.ReplyHandler;
import dev.sagaflow.messaging.internal.Backoff;
import dev.sagaflow.messaging.ReplyHandler.Decision;
import dev.sagaflow.rabbitmq.internal.AmqpHeaders;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes saga replies from a RabbitMQ queue and delivers them to an orchestrator, acknowledging each message
 * manually by {@link ReplyHandler}'s rule: {@code basic.ack} once the reply is durable in the saga store or
 * definitely rejected (late, or a duplicate: a redelivered reply is acknowledged and never applied twice); {@code
 * basic.nack} with requeue, after {@link Builder#requeueDelay}, when it could not be recorded (the store is
 * down); {@code basic.nack} without requeue (dead-lettered if the queue has a dead-letter exchange, else dropped)
 * for a message that is no Sagaflow reply. A reply message is as {@link dev.sagaflow.messaging.SagaMessages}
 * describes; the AMQP {@code correlation_id} property stands in for the correlation id header.
 *
 * <p>The queue is the host's to declare (durable, with a dead-letter exchange if it wants one). A message whose
 * acknowledgement is lost (the connection broke) is delivered again by the broker, and the runtime rejects it as a
 * duplicate.
 *
 * <p><b>Threads and connections.</b> {@link #start()} returns at once; a daemon thread {@code
 * sagaflow-rabbitmq-replies-<queue>} connects (without the client's automatic recovery), consumes, and connects
 * again with backoff whenever the connection breaks or the queue is missing. Deliveries are handled on the client's
 * consumer threads, one at a time per consumer ({@link Builder#consumers}), each with at most {@link
 * Builder#prefetch} unacknowledged messages. Thread-safe.
 */
public final class RabbitReplyListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RabbitReplyListener.class);

    private final ConnectionFactory factory;
    private final String queue;
    private final ReplyHandler handler;
    private final int prefetch;
    private final int consumers;
    private final Duration requeueDelay;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Object monitor = new Object();
    /** Guarded by monitor. */
    private Connection connection;
    private boolean started;
    private volatile boolean closed;
    private Thread supervisor;

    private RabbitReplyListener(Builder builder) {
        this.factory = builder.factory.clone();
        this.factory.setAutomaticRecoveryEnabled(false);
        this.factory.setTopologyRecoveryEnabled(false);
        this.queue = builder.queue;
        this.handler = ReplyHandler.of(builder.orchestrator);
        this.prefetch = builder.prefetch;
        this.consumers = builder.consumers;
        this.requeueDelay = builder.requeueDelay;
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
    }

    /** A builder of a listener that delivers the replies on {@code queue} to {@code orchestrator}. */
    public static Builder builder(ConnectionFactory factory, String queue, SagaOrchestrator orchestrator) {
        return new Builder(factory, queue, orchestrator);
    }

    /**
     * Starts consuming in the background.
     *
     * @throws IllegalStateException if it was started or closed before
     */
    public void start() {
        synchronized (monitor) {
            if (started || closed) {
                throw new IllegalStateException("the reply listener on queue '" + queue + "' was already "
                        + (closed ? "closed" : "started"));
            }
            started = true;
            supervisor = new Thread(this::supervise, "sagaflow-rabbitmq-replies-" + queue);
            supervisor.setDaemon(true);
            supervisor.start();
        }
    }

    /** Whether it is connected and consuming now. */
    public boolean isConsuming() {
        synchronized (monitor) {
            return connection != null && connection.isOpen();
        }
    }

    private void supervise() {
        Backoff backoff = new Backoff(initialBackoff, maxBackoff);
        while (!closed) {
            Connection current;
            try {
                current = connect();
                if (backoff.failures() > 0) {
                    log.info("reply listener consumes queue '{}' again after {} failed attempts", queue,
                            backoff.failures());
                }
                backoff.reset();
            } catch (IOException | TimeoutException | RuntimeException e) {
                if (backoff.failures() == 0) {
                    log.warn("reply listener cannot consume queue '{}', trying again with backoff: {}", queue,
                            e.getCause() != null ? e + " (" + e.getCause().getMessage() + ")" : e.toString());
                }
                pause(backoff.nextNanos());
                continue;
            }
            synchronized (monitor) {
                while (!closed && current.isOpen()) {
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            if (!closed) {
                log.warn("reply listener lost its connection for queue '{}'; reconnecting (unacknowledged replies are"
                        + " delivered again)", queue);
                pause(backoff.nextNanos());
            }
        }
    }

    private void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        synchronized (monitor) {
            long left;
            try {
                while (!closed && (left = end - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Connection connect() throws IOException, TimeoutException {
        Connection opened = factory.newConnection("sagaflow-replies-" + queue);
        try {
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                Channel channel = opened.createChannel();
                channel.basicQos(prefetch);
                channel.basicConsume(queue, false, new ReplyConsumer(channel));
                channels.add(channel);
            }
            opened.addShutdownListener(cause -> {
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            });
            synchronized (monitor) {
                if (closed) {
                    opened.abort();
                } else {
                    connection = opened;
                }
            }
            log.info("reply listener consumes queue '{}' at {}:{} ({} consumer(s), prefetch {})", queue,
                    factory.getHost(), factory.getPort(), channels.size(), prefetch);
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.abort();
            throw e;
        }
    }

    /** One channel's consumer: handles each delivery, then acknowledges it by the handler's decision. */
    private final class ReplyConsumer extends DefaultConsumer {
        ReplyConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Decision decision = handler.handle(AmqpHeaders.text(properties), body);
            long tag = envelope.getDeliveryTag();
            try {
                switch (decision) {
                    case ACK -> getChannel().basicAck(tag, false);
                    case REQUEUE -> {
                        // A pause first, so that a store outage does not make the broker and this node spin.
                        pause(requeueDelay.toNanos());
                        getChannel().basicNack(tag, false, true);
                    }
                    case REJECT -> getChannel().basicNack(tag, false, false);
                    default -> throw new IllegalStateException("unknown decision " + decision);
                }
            } catch (IOException | AlreadyClosedException e) {
                log.debug("could not {} a reply on queue '{}' (the broker delivers it again): {}", decision, queue,
                        e.toString());
            }
        }
    }

    /** Stops consuming and closes the connection; unacknowledged replies go back to the queue. Idempotent. */
    @Override
    public void close() {
        Thread thread;
        Connection open;
        synchronized (monitor) {
            if (closed) {
                return;
            }
            closed = true;
            open = connection;
            connection = null;
            thread = supervisor;
            monitor.notifyAll();
        }
        if (open != null) {
            try {
                open.close(2_000);
            } catch (IOException | RuntimeException e) {
                open.abort();
            }
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "RabbitReplyListener[queue '" + queue + "' at " + factory.getHost() + ":" + factory.getPort() + "]";
    }

    /** Settings of a {@link RabbitReplyListener}. Not thread-safe; {@link #build()} copies them. */
    public static final class Builder {
        private final ConnectionFactory factory;
        private final String queue;
        private final SagaOrchestrator orchestrator;
        private int prefetch = 32;
        private int consumers = 1;
        private Duration requeueDelay = Duration.ofSeconds(1);
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);

        private Builder(ConnectionFactory factory, String queue, SagaOrchestrator orchestrator) {
            this.factory = Checks.notNull(factory, "factory");
            this.queue = Checks.notBlank(queue, "queue");
            this.orchestrator = Checks.notNull(orchestrator, "orchestrator");
        }

        /** How many unacknowledged replies each consumer holds at most ({@code basic.qos}). Default 32. */
        public Builder prefetch(int prefetch) {
            this.prefetch = Checks.atLeast(prefetch, 1, "prefetch");
            return this;
        }

        /** How many consumers (channels) the listener runs; each handles its deliveries one at a time. Default 1. */
        public Builder consumers(int consumers) {
            this.consumers = Checks.atLeast(consumers, 1, "consumers");
            return this;
        }

        /** How long a consumer waits before it gives back a reply it could not record. Default 1 s. */
        public Builder requeueDelay(Duration requeueDelay) {
            this.requeueDelay = Checks.notNegative(requeueDelay, "requeueDelay");
            return this;
        }

        /** The pauses between connection attempts: doubling from {@code initial} to {@code max}, with jitter. Default 100 ms to 10 s. */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            Backoff.check(initial, max);
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** A listener with these settings, not started. */
        public RabbitReplyListener build() {
            return new RabbitReplyListener(this);
        }
    }
}
