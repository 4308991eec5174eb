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

    /**
     * A copy with every field but the name replaced.
     *
     * @deprecated use the named transitions ({@link #started}, {@link #retryAt}, {@link #succeeded}, ...)
     */
    @Deprecated
    public StepState with(StepStatus newStatus, int newAttempts, int newCompensationAttempts,
            boolean newMayHaveTakenEffect, Instant newStartedAt, Instant newEndedAt, Instant newWakeAt,
            String newError) {
        return new StepState(name, newStatus, newAttempts, newCompensationAttempts, newMayHaveTakenEffect,
                newStartedAt, newEndedAt, newWakeAt, newError);
    }

    // ---------------------------------------------------------------- named transitions of the runtime

    /** RUNNING with its first attempt due now: the step starts. */
    public StepState started(Instant now) {
        return new StepState(name, StepStatus.RUNNING, 1, 0, false, now, null, null, null);
    }

    /**
     * RUNNING again with the next attempt due at {@code wakeAt}, after an attempt that failed with
     * {@code failure}; {@code possiblyDone} if that attempt may have taken effect (it timed out).
     */
    public StepState retryAt(Instant wakeAt, String failure, boolean possiblyDone) {
        return new StepState(name, StepStatus.RUNNING, attempts + 1, compensationAttempts,
                mayHaveTakenEffect || possiblyDone, startedAt, null, wakeAt, failure);
    }

    /**
     * RUNNING again with a new attempt due now, found RUNNING after a crash or a takeover:
     * {@code possiblyDone} if the interrupted attempt may have taken effect.
     */
    public StepState resumed(boolean possiblyDone) {
        return new StepState(name, StepStatus.RUNNING, attempts + 1, compensationAttempts,
                mayHaveTakenEffect || possiblyDone, startedAt, endedAt, null, error);
    }

    /** RUNNING again after an operator's retry, with a fresh attempt budget. */
    public StepState restarted() {
        return new StepState(name, StepStatus.RUNNING, 1, 0, mayHaveTakenEffect, startedAt, null, null, error);
    }

    /** AWAITING_REPLY until {@code timeoutAt} ({@code null}: no timeout): the action sent its command. */
    public StepState awaitingReply(Instant timeoutAt) {
        return new StepState(name, StepStatus.AWAITING_REPLY, attempts, compensationAttempts, mayHaveTakenEffect,
                startedAt, null, timeoutAt, null);
    }

    /** SUCCEEDED at {@code now}. */
    public StepState succeeded(Instant now) {
        return new StepState(name, StepStatus.SUCCEEDED, attempts, compensationAttempts, mayHaveTakenEffect,
                startedAt, now, null, null);
    }

    /** FAILED at {@code now} with {@code failure}; compensated later if {@code possiblyDone}. */
    public StepState failed(Instant now, String failure, boolean possiblyDone) {
        return new StepState(name, StepStatus.FAILED, attempts, compensationAttempts,
                mayHaveTakenEffect || possiblyDone, startedAt, now, null, failure);
    }

    /** COMPENSATING with the first compensation attempt due now. */
    public StepState compensating() {
        return new StepState(name, StepStatus.COMPENSATING, attempts, 1, mayHaveTakenEffect, startedAt, endedAt,
                null, error);
    }

    /** COMPENSATING with the next compensation attempt due at {@code wakeAt}, after one that failed. */
    public StepState compensationRetryAt(Instant wakeAt, String failure) {
        return new StepState(name, StepStatus.COMPENSATING, attempts, compensationAttempts + 1, mayHaveTakenEffect,
                startedAt, endedAt, wakeAt, failure);
    }

    /** COMPENSATING with a new compensation attempt due now, found COMPENSATING after a crash or a takeover. */
    public StepState compensationResumed() {
        return new StepState(name, StepStatus.COMPENSATING, attempts, compensationAttempts + 1, mayHaveTakenEffect,
                startedAt, endedAt, null, error);
    }

    /** COMPENSATING, stuck: its compensation gave up with {@code failure} (the saga is FAILED). */
    public StepState compensationGaveUp(String failure) {
        return new StepState(name, StepStatus.COMPENSATING, attempts, compensationAttempts, mayHaveTakenEffect,
                startedAt, endedAt, null, failure);
    }

    /** COMPENSATED at {@code now}. */
    public StepState compensated(Instant now) {
        return new StepState(name, StepStatus.COMPENSATED, attempts, compensationAttempts, mayHaveTakenEffect,
                startedAt, now, null, error);
    }
}
