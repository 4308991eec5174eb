package dev.sagaflow;

/** What an {@link OutcomeProbe} found out about an action whose outcome was unknown. */
public enum ProbeOutcome {
    /** The action took effect: the step succeeded (its data unchanged). */
    APPLIED,
    /** The action did not take effect: it is retried if its policy allows, and never compensated. */
    NOT_APPLIED,
    /** The participant cannot tell: the step counts as possibly done, as without a probe. */
    UNKNOWN
}
