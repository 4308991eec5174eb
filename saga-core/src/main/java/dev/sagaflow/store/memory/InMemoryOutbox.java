package dev.sagaflow.store.memory;

import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore.FailedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The outbox of an {@link InMemorySagaStore}: messages in the order they were written, each pending,
 * claimed by a relay until a lease expiry, sent or failed. One lock; relays are few and messages
 * short-lived. Thread-safe.
 */
final class InMemoryOutbox {
    private enum State { PENDING, CLAIMED, SENT, FAILED }

    private static final class Entry {
        final OutboxMessage message;
        State state = State.PENDING;
        String relay;
        Instant until;
        Instant doneAt;
        String reason;

        Entry(OutboxMessage message) {
            this.message = message;
        }
    }

    private final Supplier<Instant> clock;
    /** By message id, in the order written. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    InMemoryOutbox(Supplier<Instant> clock) {
        this.clock = clock;
    }

    synchronized void add(List<OutboxMessage> messages) {
        for (OutboxMessage message : messages) {
            if (entries.putIfAbsent(message.id(), new Entry(message)) != null) {
                throw new IllegalArgumentException("outbox message " + message.id() + " already exists [instance "
                        + message.sagaId() + "]");
            }
        }
    }

    synchronized List<OutboxMessage> claim(String relay, Duration lease, int limit) {
        Objects.requireNonNull(relay, "relay cannot be null");
        Objects.requireNonNull(lease, "lease cannot be null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        Instant now = clock.get();
        Set<String> blocked = new HashSet<>();
        List<OutboxMessage> claimed = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (claimed.size() == limit) {
                break;
            }
            String saga = entry.message.sagaId();
            boolean open = entry.state == State.PENDING
                    || (entry.state == State.CLAIMED && entry.until.isBefore(now));
            boolean inFlight = entry.state == State.CLAIMED && !entry.until.isBefore(now);
            if (open && blocked.add(saga)) {
                entry.state = State.CLAIMED;
                entry.relay = relay;
                entry.until = now.plus(lease);
                claimed.add(entry.message);
            } else if (open || inFlight) {
                // An older message of the same instance is not sent yet: keep the order.
                blocked.add(saga);
            }
        }
        return List.copyOf(claimed);
    }

    synchronized boolean markSent(String messageId, String relay) {
        return finish(messageId, relay, State.SENT, null);
    }

    synchronized boolean markFailed(String messageId, String relay, String reason) {
        return finish(messageId, relay, State.FAILED, Objects.requireNonNull(reason, "reason cannot be null"));
    }

    private boolean finish(String messageId, String relay, State state, String reason) {
        Entry entry = entries.get(Objects.requireNonNull(messageId, "messageId cannot be null"));
        if (entry == null || entry.state != State.CLAIMED || !entry.relay.equals(relay)) {
            return false;
        }
        entry.state = state;
        entry.doneAt = clock.get();
        entry.reason = reason;
        entry.relay = null;
        entry.until = null;
        return true;
    }

    synchronized List<FailedMessage> failed(int limit) {
        List<FailedMessage> failed = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (failed.size() < limit && entry.state == State.FAILED) {
                failed.add(new FailedMessage(entry.message, entry.reason, entry.doneAt));
            }
        }
        return List.copyOf(failed);
    }

    synchronized boolean retry(String messageId) {
        Entry entry = entries.get(Objects.requireNonNull(messageId, "messageId cannot be null"));
        if (entry == null || entry.state != State.FAILED) {
            return false;
        }
        entry.state = State.PENDING;
        entry.reason = null;
        entry.doneAt = null;
        return true;
    }

    synchronized int purgeSent(Instant sentBefore, int limit) {
        int purged = 0;
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext() && purged < limit; ) {
            Entry entry = it.next().getValue();
            if (entry.state == State.SENT && entry.doneAt.isBefore(sentBefore)) {
                it.remove();
                purged++;
            }
        }
        return purged;
    }

    /** Forgets the sent messages of a forgotten instance. */
    synchronized void forgetSent(String sagaId) {
        entries.values().removeIf(entry -> entry.state == State.SENT && entry.message.sagaId().equals(sagaId));
    }

    synchronized void clear() {
        entries.clear();
    }
}
