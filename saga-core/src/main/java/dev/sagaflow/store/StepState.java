package dev.sagaflow.store;

import dev.sagaflow.StepStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * The stored state of one step of one saga instance. Immutable.
 *
 * @param name step name, unique within its definition
 * @param status where the step is in its lifecycle
 * @param attempts how many attempts of the action were started or scheduled (0 while PENDING)
 * @param compensationAttempts how many attempts of the compensation were started or scheduled
 * @param mayHaveTakenEffect whether the action may have taken effect although it did not report
 *     success (it timed out, or was found RUNNING after a crash); such a step is compensated
 * @param startedAt when the step was first marked RUNNING, or {@code null}
 * @param endedAt when the step last reached SUCCEEDED, FAILED or COMPENSATED, or {@code null}
 * @param wakeAt for RUNNING and COMPENSATING: when the next attempt is due ({@code null}: now);
 *     for AWAITING_REPLY: when the reply times out ({@code null}: never)
 * @param error the last error of the action or the compensation, or {@code null}
 */
public record StepState(
        String name,
        StepStatus status,
        int attempts,
        int compensationAttempts,
        boolean mayHaveTakenEffect,
        Instant startedAt,
        Instant endedAt,
        Instant wakeAt,
        String error) {

    public StepState {
        Objects.requireNonNull(name, "name cannot be null");
        Objects.requireNonNull(status, "status cannot be null");
        if (attempts < 0 || compensationAttempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0 for step '" + name + "'");
        }
    }

    /** A step that has not started. */
    public static StepState pending(String name) {
        return new StepState(name, StepStatus.PENDING, 0, 0, false, null, null, null, null);
    }

    /** Whether this step must be compensated when the saga rolls back (it did, or may have, taken effect). */
    public boolean needsCompensation() {
        return switch (status) {
            case SUCCEEDED, RUNNING, AWAITING_REPLY, COMPENSATING -> true;
            case FAILED -> mayHaveTakenEffect;
            case PENDING, COMPENSATED -> false;
        };
    }

    /** A copy with another status. */
    public StepState withStatus(StepStatus newStatus) {
        return new StepState(name, newStatus, attempts, compensationAttempts, mayHaveTakenEffect,
                startedAt, endedAt, wakeAt, error);
    }

    /** A copy with every field but the name replaced; for the runtime's transitions. */
    public StepState with(StepStatus newStatus, int newAttempts, int newCompensationAttempts,
            boolean newMayHaveTakenEffect, Instant newStartedAt, Instant newEndedAt, Instant newWakeAt,
            String newError) {
        return new StepState(name, newStatus, newAttempts, newCompensationAttempts, newMayHaveTakenEffect,
                newStartedAt, newEndedAt, newWakeAt, newError);
    }
}
