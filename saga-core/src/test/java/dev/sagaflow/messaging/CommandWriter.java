package dev.sagaflow.messaging;

import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaInstanceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes saga checkpoints that send commands straight into an {@link OutboxStore}, as the runtime's command
 * step does: the instance and its outbox messages in one {@link InstanceWrite}. Each command's payload is
 * {@code {"sagaId":...,"seq":n}}, its step {@code step-n} (n counts the instance's commands from 1), and its
 * idempotency key and correlation id {@code <sagaId>:step-n}. Thread-safe.
 */
public final class CommandWriter {
    /** The saga name every instance written here has. */
    public static final String SAGA_NAME = "order";

    private final OutboxStore store;
    private final Map<String, SagaInstance> instances = new ConcurrentHashMap<>();
    private final Map<String, Integer> sequence = new ConcurrentHashMap<>();

    public CommandWriter(OutboxStore store) {
        this.store = store;
    }

    /** Inserts a new instance whose first checkpoint sends {@code count} commands to {@code destination}. */
    public List<OutboxMessage> start(String destination, int count) {
        SagaInstance instance = SagaInstanceBuilder.of(SAGA_NAME).build();
        List<OutboxMessage> messages = commands(instance.id(), destination, count);
        if (!store.insert(InstanceWrite.of(instance, List.of(), null).sending(messages))) {
            throw new IllegalStateException("insert refused for " + instance.id());
        }
        instances.put(instance.id(), instance);
        return messages;
    }

    /** Writes the next checkpoint of {@code sagaId}, sending {@code count} more commands. */
    public List<OutboxMessage> next(String sagaId, String destination, int count) {
        SagaInstance current = instances.get(sagaId);
        SagaInstance next = SagaInstanceBuilder.from(current).nextVersion().build();
        List<OutboxMessage> messages = commands(sagaId, destination, count);
        if (!store.update(current.version(), InstanceWrite.of(next, List.<HistoryEntry>of(), null).sending(messages))) {
            throw new IllegalStateException("update refused for " + sagaId);
        }
        instances.put(sagaId, next);
        return messages;
    }

    private List<OutboxMessage> commands(String sagaId, String destination, int count) {
        List<OutboxMessage> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int seq = sequence.merge(sagaId, 1, Integer::sum);
            String step = "step-" + seq;
            String key = sagaId + ":" + step;
            messages.add(new OutboxMessage(UUID.randomUUID().toString(), sagaId, SAGA_NAME, step, destination,
                    "{\"sagaId\":\"" + sagaId + "\",\"seq\":" + seq + "}",
                    Map.of(OutboxMessage.IDEMPOTENCY_KEY_HEADER, key, OutboxMessage.CORRELATION_ID_HEADER, key),
                    store.now()));
        }
        return messages;
    }

    /** The sequence number of a command written here, from its payload. */
    public static int seq(String payload) {
        int at = payload.indexOf("\"seq\":");
        return Integer.parseInt(payload.substring(at + 6, payload.indexOf('}', at)));
    }
}
