package dev.sagaflow.examples.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process message channel standing in for a broker queue. {@link #send(Object)} writes the
 * message as JSON and puts it on a queue; one consumer thread takes it off, reads it back into the
 * type a subscriber registered, and calls that subscriber, later and on its own thread. Sender and
 * receiver therefore share no objects, only the JSON text and the type's name.
 *
 * <p>Delivery is at least once, as with a real broker: a subscriber that throws gets the message
 * again, up to {@value #MAX_DELIVERIES} deliveries, after which the message is logged and dropped.
 * Subscribers must be idempotent. A message of a type nobody subscribed to is dropped (an event
 * nobody listens to). Messages are lost when the process dies: this channel is for the examples, not
 * production. Thread-safe.
 */
public final class MessageChannel implements AutoCloseable {
    /** How often one message is delivered to a subscriber that keeps throwing. */
    public static final int MAX_DELIVERIES = 5;

    private static final Logger log = LoggerFactory.getLogger(MessageChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Envelope STOP = new Envelope("", "", 0);

    private final String name;
    private final Timeline timeline;
    private final BlockingQueue<Envelope> queue = new LinkedBlockingQueue<>();
    private final Map<String, Subscription<?>> subscribers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread consumer;

    /** A channel named {@code name} whose sends are printed on {@code timeline}; its consumer thread starts now. */
    public MessageChannel(String name, Timeline timeline) {
        this.name = name;
        this.timeline = timeline;
        this.consumer = new Thread(this::consume, "channel-" + name);
        consumer.setDaemon(true);
        consumer.start();
    }

    /** The channel's name. */
    public String name() {
        return name;
    }

    /**
     * Delivers messages of {@code type} to {@code subscriber}. One subscriber per type.
     *
     * @throws IllegalStateException if the type already has one
     */
    public <M> MessageChannel subscribe(Class<M> type, Subscriber<M> subscriber) {
        if (subscribers.putIfAbsent(type.getName(), new Subscription<>(type, subscriber)) != null) {
            throw new IllegalStateException("channel " + name + ": " + type.getSimpleName() + " already has a subscriber");
        }
        return this;
    }

    /**
     * Sends {@code message}: it is written as JSON now and delivered later on the consumer thread.
     *
     * @throws IllegalStateException if the channel is closed
     * @throws IllegalArgumentException if the message cannot be written as JSON
     */
    public void send(Object message) {
        if (closed.get()) {
            throw new IllegalStateException("channel " + name + " is closed");
        }
        String json;
        try {
            json = JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("channel " + name + ": cannot write " + message + " as JSON", e);
        }
        timeline.message(name, message.getClass().getSimpleName(), json);
        queue.add(new Envelope(message.getClass().getName(), json, 1));
    }

    /** Stops the consumer thread after the message it is delivering; messages still queued are dropped. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        queue.clear();
        queue.add(STOP);
        if (Thread.currentThread() != consumer) {
            try {
                consumer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void consume() {
        while (true) {
            Envelope envelope;
            try {
                envelope = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (envelope == STOP) {
                return;
            }
            deliver(envelope);
        }
    }

    private void deliver(Envelope envelope) {
        Subscription<?> subscription = subscribers.get(envelope.type);
        if (subscription == null) {
            log.debug("channel {}: nobody subscribes to {}; dropped", name, envelope.type);
            return;
        }
        try {
            subscription.deliver(envelope.json);
        } catch (Throwable t) {
            redeliverOrDrop(envelope, t);
        }
    }

    private void redeliverOrDrop(Envelope envelope, Throwable error) {
        if (envelope.delivery >= MAX_DELIVERIES || closed.get()) {
            log.error("channel {}: {} failed {} deliveries and is dropped: {}", name, envelope.type, envelope.delivery,
                    envelope.json, error);
            return;
        }
        log.warn("channel {}: delivery {} of {} failed, it is delivered again: {}", name, envelope.delivery,
                envelope.type, error.toString());
        queue.add(new Envelope(envelope.type, envelope.json, envelope.delivery + 1));
    }

    @Override
    public String toString() {
        return "MessageChannel[" + name + ", queued " + queue.size() + "]";
    }

    /**
     * Receives the messages of one type on the channel's consumer thread. Throwing asks for the
     * message again.
     */
    @FunctionalInterface
    public interface Subscriber<M> {
        void receive(M message) throws Exception;
    }

    private record Envelope(String type, String json, int delivery) {
    }

    private record Subscription<M>(Class<M> type, Subscriber<M> subscriber) {
        void deliver(String json) throws Exception {
            subscriber.receive(JSON.readValue(json, type));
        }
    }
}
