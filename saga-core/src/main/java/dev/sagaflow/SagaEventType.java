package dev.sagaflow;

/**
 * What happened to a saga instance. Every transition the runtime records is one of these, both as a
 * {@link SagaEvent} for listeners and as a {@link dev.sagaflow.store.HistoryEntry} in the store.
 */
public enum SagaEventType {
    /** The instance was created and its first step marked RUNNING. */
    SAGA_STARTED,
    /** A step's action succeeded (for an awaiting step: its success reply arrived). */
    STEP_SUCCEEDED,
    /** An attempt of a step's action failed and another attempt is scheduled. */
    STEP_RETRY_SCHEDULED,
    /** An awaiting step sent its command and now waits for the reply. */
    STEP_AWAITING_REPLY,
    /** A step gave up (rejection, failure reply, timeout or exhausted retries). */
    STEP_FAILED,
    /** A step found RUNNING after a crash or a lease takeover is run again with the same idempotency key. */
    STEP_RESUMED,
    /**
     * A step's outcome was unknown (a timeout, a crash) and its probe asked the participant: the detail is
     * APPLIED, NOT_APPLIED or UNKNOWN.
     */
    STEP_PROBED,
    /** A compensation succeeded. */
    COMPENSATION_SUCCEEDED,
    /** An attempt of a compensation failed and another attempt is scheduled. */
    COMPENSATION_RETRY_SCHEDULED,
    /** A compensation gave up: the saga is FAILED and someone must act. Hosts should alert on this. */
    COMPENSATION_GAVE_UP,
    /** An operator (or the saga deadline) aborted the saga before its pivot; it compensates. */
    SAGA_ABORTED,
    /** An operator retried a FAILED saga. */
    SAGA_RETRIED,
    /** Every step succeeded. */
    SAGA_COMPLETED,
    /** Every compensation that was due succeeded. */
    SAGA_COMPENSATED,
    /** The saga is stuck and needs an operator (a compensation or a post-pivot step gave up, or its data is unreadable). */
    SAGA_FAILED,
    /** A reply arrived for a step that was not waiting for one (late, duplicate or misrouted); it was not applied. */
    REPLY_REJECTED,
    /** A stored instance cannot be resumed: its definition is not registered or its steps changed. It is left untouched. */
    INSTANCE_NOT_RESUMABLE
}
