package dev.sagaflow.messaging;

import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.SettableClock;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The outbox of the broker modules' relay tests: an in-memory store on a settable clock, seen through an
 * interceptor that records which messages were marked sent, and a {@link CommandWriter} on it. Thread-safe.
 */
public final class MarkedOutbox {
    /** The store's clock. */
    public final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T10:00:00Z"));
    /** The store itself. */
    public final InMemorySagaStore memory = InMemorySagaStore.builder().clock(clock).build();
    /** The ids of the messages marked sent, by any relay. */
    public final Set<String> sent = ConcurrentHashMap.newKeySet();
    /** The store as relays see it. */
    public final OutboxStore store = InterceptedOutbox.of(memory, (method, args, proceed) -> {
        Object result = proceed.call();
        if (method.equals("markSent") && Boolean.TRUE.equals(result)) {
            sent.add((String) args[0]);
        }
        return result;
    });
    /** Writes checkpoints with commands into the store. */
    public final CommandWriter writer = new CommandWriter(memory);

    /** Whether every one of {@code messages} was marked sent. */
    public boolean allSent(Collection<OutboxMessage> messages) {
        return sent.containsAll(messages.stream().map(OutboxMessage::id).collect(Collectors.toSet()));
    }
}
