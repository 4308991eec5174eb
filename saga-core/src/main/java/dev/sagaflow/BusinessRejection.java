package dev.sagaflow;

/**
 * Thrown by a step's action when a participant says no for a business reason (credit limit
 * exceeded, item out of stock). A rejection is never retried: the step fails at once, is not
 * compensated (nothing took effect), and the saga compensates the steps before it.
 *
 * <p>This is the one exception type that user code throws rather than Sagaflow. It is an outcome,
 * not a bug, so it carries no stack trace (filling one in is the costliest part of throwing).
 */
public class BusinessRejection extends RuntimeException {
    public BusinessRejection(String reason) {
        super(reason, null, false, false);
    }

    public BusinessRejection(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }
}
