package dev.sagaflow;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of one step within one saga instance:
 * {@code PENDING → RUNNING → (AWAITING_REPLY →) SUCCEEDED | FAILED}, then, when the saga rolls back,
 * {@code COMPENSATING → COMPENSATED}. The legal transitions are the table in
 * {@link #canBecome(StepStatus)}.
 */
public enum StepStatus {
    /** Not started yet. */
    PENDING,
    /** Durably marked as started; its action is running, or waits for its next attempt. */
    RUNNING,
    /** The action sent its command and the step waits, durably, for the participant's reply. */
    AWAITING_REPLY,
    /** The action (and its reply, for an awaiting step) succeeded. */
    SUCCEEDED,
    /** The step gave up. It is compensated only if it may have taken effect (it timed out, or was interrupted). */
    FAILED,
    /** Its compensation is running or waits for its next attempt. */
    COMPENSATING,
    /** Its compensation succeeded. */
    COMPENSATED;

    private Set<StepStatus> next;

    static {
        PENDING.next = EnumSet.of(RUNNING);
        RUNNING.next = EnumSet.of(RUNNING, AWAITING_REPLY, SUCCEEDED, FAILED);
        AWAITING_REPLY.next = EnumSet.of(RUNNING, SUCCEEDED, FAILED);
        SUCCEEDED.next = EnumSet.of(COMPENSATING);
        FAILED.next = EnumSet.of(COMPENSATING, RUNNING);
        COMPENSATING.next = EnumSet.of(COMPENSATING, COMPENSATED);
        COMPENSATED.next = EnumSet.noneOf(StepStatus.class);
    }

    /** Whether the transition table allows a step in this status to move to {@code target}. */
    public boolean canBecome(StepStatus target) {
        return next.contains(target);
    }
}
