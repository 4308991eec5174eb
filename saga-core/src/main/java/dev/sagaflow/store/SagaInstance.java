package dev.sagaflow.store;

import dev.sagaflow.SagaStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The stored state of one saga instance: what crosses the store SPI on every write and read.
 * Immutable; the runtime makes a new one for every transition, with {@code version} one higher.
 *
 * @param id instance id (a UUID string), unique in the store
 * @param sagaName the definition's name
 * @param sagaVersion the definition's version
 * @param fingerprint a hash of the definition's name, version and step names and kinds; an instance
 *     is resumed only by a definition with the same fingerprint
 * @param idempotencyKey the start key the host gave, or {@code null}; unique per saga name
 * @param status the saga's status
 * @param data the saga data after the last completed step
 * @param steps the state of every step, in definition order
 * @param createdAt when the saga started
 * @param updatedAt when the last transition was written
 * @param deadline when the whole saga times out, or {@code null}
 * @param owner id of the node that drives the instance, or {@code null} when none does
 * @param leaseUntil until when the owner's claim holds; after it, any node may claim the instance
 * @param version incremented by every write; each write is a compare-and-set on it
 * @param error why the saga is compensating, compensated or failed, or {@code null}
 * @param metadata string attributes set when the saga started and kept with it (for example the trace
 *     context a tracing integration stores so that later spans link to the original trace); never null
 */
public record SagaInstance(
        String id,
        String sagaName,
        int sagaVersion,
        String fingerprint,
        String idempotencyKey,
        SagaStatus status,
        SagaData data,
        List<StepState> steps,
        Instant createdAt,
        Instant updatedAt,
        Instant deadline,
        String owner,
        Instant leaseUntil,
        long version,
        String error,
        Map<String, String> metadata) {

    public SagaInstance {
        Objects.requireNonNull(id, "id cannot be null");
        Objects.requireNonNull(sagaName, "sagaName cannot be null");
        Objects.requireNonNull(fingerprint, "fingerprint cannot be null");
        Objects.requireNonNull(status, "status cannot be null");
        Objects.requireNonNull(data, "data cannot be null");
        Objects.requireNonNull(createdAt, "createdAt cannot be null");
        Objects.requireNonNull(updatedAt, "updatedAt cannot be null");
        steps = List.copyOf(steps);
        metadata = metadata == null || metadata.isEmpty() ? Map.of() : Map.copyOf(metadata);
    }

    /** An instance without metadata: the form of the first SPI. */
    public SagaInstance(String id, String sagaName, int sagaVersion, String fingerprint, String idempotencyKey,
            SagaStatus status, SagaData data, List<StepState> steps, Instant createdAt, Instant updatedAt,
            Instant deadline, String owner, Instant leaseUntil, long version, String error) {
        this(id, sagaName, sagaVersion, fingerprint, idempotencyKey, status, data, steps, createdAt, updatedAt,
                deadline, owner, leaseUntil, version, error, Map.of());
    }

    /** The state of the step named {@code name}, or {@code null} if the instance has no such step. */
    public StepState step(String name) {
        for (StepState step : steps) {
            if (step.name().equals(name)) {
                return step;
            }
        }
        return null;
    }

    /**
     * The instance's next version: another status, steps, data and error, written at {@code now} by
     * {@code newOwner} (which the instance keeps while it is live; a finished instance has no owner). The
     * lease is the store's to set ({@link InstanceWrite#lease()}); it is {@code null} here.
     */
    public SagaInstance next(SagaStatus newStatus, List<StepState> newSteps, SagaData newData, String newError,
            Instant now, String newOwner) {
        boolean live = newStatus.isLive();
        return new SagaInstance(id, sagaName, sagaVersion, fingerprint, idempotencyKey, newStatus, newData, newSteps,
                createdAt, now, deadline, live ? newOwner : null, null, version + 1, newError, metadata);
    }

    /** A copy with another owner and lease, and the version incremented: what a claim writes. */
    public SagaInstance claimedBy(String newOwner, Instant newLeaseUntil, Instant now) {
        return new SagaInstance(id, sagaName, sagaVersion, fingerprint, idempotencyKey, status, data, steps,
                createdAt, now, deadline, newOwner, newLeaseUntil, version + 1, error, metadata);
    }

    /** A copy with another lease expiry and the same version: what a lease renewal writes. */
    public SagaInstance withLease(String newOwner, Instant newLeaseUntil) {
        return new SagaInstance(id, sagaName, sagaVersion, fingerprint, idempotencyKey, status, data, steps,
                createdAt, updatedAt, deadline, newOwner, newLeaseUntil, version, error, metadata);
    }

    /** A copy with other data, same version; for stores that normalise what they keep. */
    public SagaInstance withData(SagaData newData) {
        return new SagaInstance(id, sagaName, sagaVersion, fingerprint, idempotencyKey, status, newData, steps,
                createdAt, updatedAt, deadline, owner, leaseUntil, version, error, metadata);
    }

    @Override
    public String toString() {
        return "SagaInstance[" + sagaName + " v" + sagaVersion + " " + id + " " + status + " version " + version
                + " owner " + owner + " steps " + steps + "]";
    }
}
