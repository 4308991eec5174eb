package dev.sagaflow;

import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.StepState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an operator sees of one instance: status, data, step states and history. Immutable.
 *
 * @param sagaId the instance
 * @param sagaName the definition's name
 * @param sagaVersion the definition's version
 * @param status the saga's status
 * @param data the data decoded with the registered definition's type, or {@code null} when no
 *     matching definition is registered or the data cannot be read
 * @param dataJson the stored data as text
 * @param steps every step's state, in order
 * @param history every recorded transition, oldest first (attempts, timings, errors)
 * @param createdAt when the saga started
 * @param updatedAt when it was last written
 * @param owner the node driving it, or {@code null}
 * @param error why it is compensating, compensated or failed, or {@code null}
 * @param idempotencyKey the key it was started with, or {@code null}
 * @param metadata what the metadata providers attached at its start, and for a child saga its parent
 */
public record SagaInfo(String sagaId, String sagaName, int sagaVersion, SagaStatus status, Object data,
        String dataJson, List<StepState> steps, List<HistoryEntry> history, Instant createdAt, Instant updatedAt,
        String owner, String error, String idempotencyKey, Map<String, String> metadata) {
    /** The metadata entry that names a child saga's parent instance. */
    public static final String PARENT_ID = "sagaflow.parent-id";
    /** The metadata entry that names the step of the parent that started a child saga. */
    public static final String PARENT_STEP = "sagaflow.parent-step";

    public SagaInfo {
        steps = List.copyOf(steps);
        history = List.copyOf(history);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** An instance without idempotency key or metadata. */
    public SagaInfo(String sagaId, String sagaName, int sagaVersion, SagaStatus status, Object data, String dataJson,
            List<StepState> steps, List<HistoryEntry> history, Instant createdAt, Instant updatedAt, String owner,
            String error) {
        this(sagaId, sagaName, sagaVersion, status, data, dataJson, steps, history, createdAt, updatedAt, owner, error,
                null, Map.of());
    }

    /** For a child saga, the id of the parent instance that started it; {@code null} for a saga of its own. */
    public String parentId() {
        return metadata.get(PARENT_ID);
    }

    /** For a child saga, the step of its parent that started it; {@code null} for a saga of its own. */
    public String parentStep() {
        return metadata.get(PARENT_STEP);
    }

    /**
     * The data as {@code type}: the saga's data type, or one of its supertypes.
     *
     * @throws IllegalStateException if the data could not be read (no matching definition is registered on this
     *     node, or the stored data does not fit its type), naming the instance
     * @throws ClassCastException if the data is not a {@code type}
     */
    public <T> T data(Class<T> type) {
        if (data == null) {
            throw new IllegalStateException("the data of saga '" + sagaName + "' instance " + sagaId + " could not be"
                    + " read on this node (is the definition registered?); its stored JSON is dataJson()");
        }
        if (!type.isInstance(data)) {
            throw new ClassCastException("the data of saga '" + sagaName + "' instance " + sagaId + " is a "
                    + data.getClass().getName() + ", not a " + type.getName());
        }
        return type.cast(data);
    }
}
