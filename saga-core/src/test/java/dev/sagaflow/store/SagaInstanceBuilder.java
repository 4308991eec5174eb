package dev.sagaflow.store;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Builds {@link SagaInstance}s for store tests with sensible defaults: a random UUID id, version 1,
 * status RUNNING, two steps (the first RUNNING), small JSON data, created and updated at
 * {@link #T0}, no owner. Not thread-safe; {@link #build()} may be called more than once.
 */
public final class SagaInstanceBuilder {
    /** The default creation and update time; it has milliseconds but nothing finer, like a database. */
    public static final Instant T0 = Instant.parse("2024-05-01T10:15:30.123Z");

    private String id = UUID.randomUUID().toString();
    private String sagaName;
    private int sagaVersion = 1;
    private String fingerprint = "fp-default";
    private String idempotencyKey;
    private SagaStatus status = SagaStatus.RUNNING;
    private SagaData data = SagaData.ofJson("{\"orderId\":\"o-1\",\"cents\":1250}");
    private List<StepState> steps = List.of(
            new StepState("reserve-credit", StepStatus.RUNNING, 1, 0, false, T0, null, null, null),
            StepState.pending("approve-order"));
    private Instant createdAt = T0;
    private Instant updatedAt = T0;
    private Instant deadline;
    private String owner;
    private Instant leaseUntil;
    private long version = 1;
    private String error;

    private SagaInstanceBuilder(String sagaName) {
        this.sagaName = sagaName;
    }

    /** A new instance of saga {@code sagaName} with the defaults. */
    public static SagaInstanceBuilder of(String sagaName) {
        return new SagaInstanceBuilder(sagaName);
    }

    /** A builder holding every field of {@code instance}, to make its next version. */
    public static SagaInstanceBuilder from(SagaInstance instance) {
        SagaInstanceBuilder b = new SagaInstanceBuilder(instance.sagaName());
        b.id = instance.id();
        b.sagaVersion = instance.sagaVersion();
        b.fingerprint = instance.fingerprint();
        b.idempotencyKey = instance.idempotencyKey();
        b.status = instance.status();
        b.data = instance.data();
        b.steps = instance.steps();
        b.createdAt = instance.createdAt();
        b.updatedAt = instance.updatedAt();
        b.deadline = instance.deadline();
        b.owner = instance.owner();
        b.leaseUntil = instance.leaseUntil();
        b.version = instance.version();
        b.error = instance.error();
        return b;
    }

    /** Sets the id (default: a random UUID). */
    public SagaInstanceBuilder id(String value) {
        id = value;
        return this;
    }

    /** Sets the saga name. */
    public SagaInstanceBuilder sagaName(String value) {
        sagaName = value;
        return this;
    }

    /** Sets the definition version (default 1). */
    public SagaInstanceBuilder sagaVersion(int value) {
        sagaVersion = value;
        return this;
    }

    /** Sets the fingerprint (default {@code fp-default}). */
    public SagaInstanceBuilder fingerprint(String value) {
        fingerprint = value;
        return this;
    }

    /** Sets the idempotency key (default none). */
    public SagaInstanceBuilder idempotencyKey(String value) {
        idempotencyKey = value;
        return this;
    }

    /** Sets the saga status (default RUNNING). */
    public SagaInstanceBuilder status(SagaStatus value) {
        status = value;
        return this;
    }

    /** Sets the saga data. */
    public SagaInstanceBuilder data(SagaData value) {
        data = value;
        return this;
    }

    /** Sets the saga data to this JSON text. */
    public SagaInstanceBuilder json(String value) {
        data = SagaData.ofJson(value);
        return this;
    }

    /** Sets the step states. */
    public SagaInstanceBuilder steps(List<StepState> value) {
        steps = value;
        return this;
    }

    /** Sets the creation time (default {@link #T0}). */
    public SagaInstanceBuilder createdAt(Instant value) {
        createdAt = value;
        return this;
    }

    /** Sets the last update time (default {@link #T0}). */
    public SagaInstanceBuilder updatedAt(Instant value) {
        updatedAt = value;
        return this;
    }

    /** Sets the saga deadline (default none). */
    public SagaInstanceBuilder deadline(Instant value) {
        deadline = value;
        return this;
    }

    /** Sets the owner and its lease together. */
    public SagaInstanceBuilder owner(String value, Instant lease) {
        owner = value;
        leaseUntil = lease;
        return this;
    }

    /** Sets the version (default 1). */
    public SagaInstanceBuilder version(long value) {
        version = value;
        return this;
    }

    /** Sets the version to one more than it is: what the next write of this instance carries. */
    public SagaInstanceBuilder nextVersion() {
        version++;
        return this;
    }

    /** Sets the saga error (default none). */
    public SagaInstanceBuilder error(String value) {
        error = value;
        return this;
    }

    /** A new instance with the current fields. */
    public SagaInstance build() {
        return new SagaInstance(id, sagaName, sagaVersion, fingerprint, idempotencyKey, status, data, steps,
                createdAt, updatedAt, deadline, owner, leaseUntil, version, error);
    }
}
