package dev.sagaflow.faults;

/** What a test participant does on one call of an action or a compensation. */
public enum Behaviour {
    /** Applies the effect (once per idempotency key) and returns. */
    OK,
    /** Throws a transient failure; nothing took effect (the participant's transaction rolled back). */
    THROW,
    /** Says no for a business reason ({@link dev.sagaflow.BusinessRejection}); nothing took effect. */
    REJECT,
    /** Applies the effect but never answers (the response was lost); the step's timeout ends the attempt. */
    HANG
}
