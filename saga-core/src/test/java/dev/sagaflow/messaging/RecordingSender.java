package dev.sagaflow.messaging;

import dev.sagaflow.store.OutboxMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake broker for relay tests: records every send attempt, in order, with what happened to it, and counts the
 * attempts that overlapped with another attempt at the same message. What happens to an attempt is decided by a
 * function of the message (confirm by default). Thread-safe.
 */
public final class RecordingSender implements MessageSender {
    /** What the fake broker does with one attempt. */
    public enum Behaviour {
        /** Takes the message and confirms it. */
        CONFIRM,
        /** Is unreachable: the message does not arrive, the send throws. */
        UNREACHABLE,
        /** Takes the message, but the confirm is lost: the send throws. */
        LOSE_CONFIRM,
        /** Refuses the message for good. */
        REFUSE
    }

    /** One send attempt. */
    public record Attempt(String sender, OutboxMessage message, Behaviour behaviour) {
        /** Whether the message reached the broker. */
        public boolean arrived() {
            return behaviour == Behaviour.CONFIRM || behaviour == Behaviour.LOSE_CONFIRM;
        }
    }

    private final String name;
    private final List<Attempt> attempts;
    private final Map<String, Boolean> inFlight;
    private final AtomicInteger overlaps;
    private volatile Function<OutboxMessage, Behaviour> behaviour = message -> Behaviour.CONFIRM;
    private volatile long sendMillis;

    public RecordingSender() {
        this("sender", new CopyOnWriteArrayList<>(), new ConcurrentHashMap<>(), new AtomicInteger());
    }

    private RecordingSender(String name, List<Attempt> attempts, Map<String, Boolean> inFlight, AtomicInteger overlaps) {
        this.name = name;
        this.attempts = attempts;
        this.inFlight = inFlight;
        this.overlaps = overlaps;
    }

    /** A sender named {@code name} that records into the same broker as this one. */
    public RecordingSender sibling(String name) {
        RecordingSender sibling = new RecordingSender(name, attempts, inFlight, overlaps);
        sibling.behaviour = behaviour;
        sibling.sendMillis = sendMillis;
        return sibling;
    }

    /** Decides what happens to each later attempt. */
    public RecordingSender behave(Function<OutboxMessage, Behaviour> behaviour) {
        this.behaviour = behaviour;
        return this;
    }

    /** Makes each later attempt take this long. */
    public RecordingSender sendMillis(long millis) {
        this.sendMillis = millis;
        return this;
    }

    @Override
    public void send(OutboxMessage message) throws Exception {
        if (inFlight.putIfAbsent(message.id(), Boolean.TRUE) != null) {
            overlaps.incrementAndGet();
        }
        try {
            if (sendMillis > 0) {
                Thread.sleep(sendMillis);
            }
            Behaviour what = behaviour.apply(message);
            attempts.add(new Attempt(name, message, what));
            switch (what) {
                case CONFIRM -> {
                }
                case UNREACHABLE -> throw new java.io.IOException("broker unreachable");
                case LOSE_CONFIRM -> throw new java.util.concurrent.TimeoutException("confirm lost");
                case REFUSE -> throw new MessageRejectedException("no route to " + message.destination(), message, null);
                default -> throw new IllegalStateException(what.toString());
            }
        } finally {
            inFlight.remove(message.id());
        }
    }

    /** Every attempt so far, in order. */
    public List<Attempt> attempts() {
        return new ArrayList<>(attempts);
    }

    /** The attempts whose message reached the broker, in order. */
    public List<Attempt> arrivals() {
        return attempts().stream().filter(Attempt::arrived).toList();
    }

    /** How many attempts started while another attempt at the same message was under way. */
    public int overlaps() {
        return overlaps.get();
    }
}
