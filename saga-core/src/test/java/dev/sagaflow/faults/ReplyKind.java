package dev.sagaflow.faults;

/** How the remote participant of an awaiting step answers its command. */
public enum ReplyKind {
    /** Does the work and replies with success. */
    SUCCESS,
    /** Refuses (nothing took effect) and replies with failure. */
    FAILURE,
    /** Does the work but never replies; the step's timeout fails it as possibly done. */
    TIMEOUT
}
