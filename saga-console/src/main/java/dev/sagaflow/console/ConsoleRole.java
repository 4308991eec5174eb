package dev.sagaflow.console;

/** What a console user may do. */
public enum ConsoleRole {
    /** Sees every page; may not change anything. */
    READ_ONLY,
    /** Sees every page and may retry a FAILED saga or abort a RUNNING one. */
    OPERATOR;

    /** Whether this role may retry and abort sagas. */
    public boolean mayAct() {
        return this == OPERATOR;
    }
}
