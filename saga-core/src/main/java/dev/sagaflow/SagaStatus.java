package dev.sagaflow;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of a saga instance.
 *
 * <pre>
 * RUNNING ──all steps done──▶ COMPLETED
 *    └─step failed─▶ COMPENSATING ──all compensations done──▶ COMPENSATED
 *                         └─a compensation gave up─▶ FAILED (stuck; needs an operator)
 * </pre>
 *
 * <p>A retriable step after the pivot that gives up also leaves the saga {@code FAILED}. An operator
 * may retry a {@code FAILED} saga, which returns it to {@code RUNNING} or {@code COMPENSATING}. A
 * {@code COMPLETED} child saga is reopened ({@code COMPLETED -> COMPENSATING}, or {@code COMPENSATED}
 * when none of its steps has a compensation) when its parent rolls back; no other saga leaves
 * {@code COMPLETED}.
 * The legal transitions are the table in {@link #canBecome(SagaStatus)}; every state change the
 * runtime makes is checked against it.
 */
public enum SagaStatus {
    /** Steps are being executed, retried, or waited on (an awaiting step is still RUNNING). */
    RUNNING,
    /** A step failed or the saga was aborted; completed steps are being compensated, newest first. */
    COMPENSATING,
    /** Every step succeeded. Terminal, but for a child saga whose parent rolls back and compensates it. */
    COMPLETED,
    /** Every step that took effect (or may have) was compensated. Terminal. */
    COMPENSATED,
    /** A compensation or a step after the pivot gave up; the saga is stuck until an operator retries it. */
    FAILED;

    private Set<SagaStatus> next;

    static {
        RUNNING.next = EnumSet.of(RUNNING, COMPLETED, COMPENSATING, COMPENSATED, FAILED);
        COMPENSATING.next = EnumSet.of(COMPENSATING, COMPENSATED, FAILED);
        FAILED.next = EnumSet.of(RUNNING, COMPENSATING, FAILED);
        COMPLETED.next = EnumSet.of(COMPENSATING, COMPENSATED);
        COMPENSATED.next = EnumSet.noneOf(SagaStatus.class);
    }

    /** Whether the transition table allows a saga in this status to move to {@code target}. */
    public boolean canBecome(SagaStatus target) {
        return next.contains(target);
    }

    /**
     * {@code true} for COMPLETED and COMPENSATED: the instance ended, and nothing will happen to it again unless
     * it is a COMPLETED child saga that its parent compensates.
     */
    public boolean isTerminal() {
        return this == COMPLETED || this == COMPENSATED;
    }

    /** {@code true} for RUNNING and COMPENSATING: some node owns the instance and drives it. */
    public boolean isLive() {
        return this == RUNNING || this == COMPENSATING;
    }
}
