package dev.sagaflow;

/** The role of a step in the classic saga model. */
public enum StepKind {
    /** Before the pivot, with a compensation that undoes it when the saga rolls back. */
    COMPENSATABLE,
    /** Before the pivot, without a compensation (a validation, a read): skipped when rolling back. */
    UNCOMPENSATED,
    /** The go/no-go step: once it succeeds the saga must finish. It has no compensation. */
    PIVOT,
    /** After the pivot: never compensated; retried until it succeeds, or the saga is FAILED for an operator. */
    RETRIABLE
}
