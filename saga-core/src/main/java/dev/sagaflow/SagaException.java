package dev.sagaflow;

/**
 * The root of every exception Sagaflow throws. Each carries, where they apply, the saga name, the
 * instance id and the step it concerns, and its message names them.
 */
public abstract class SagaException extends RuntimeException {
    private final String sagaName;
    private final String sagaId;
    private final String step;

    protected SagaException(String message, String sagaName, String sagaId, String step, Throwable cause) {
        super(describe(message, sagaName, sagaId, step), cause);
        this.sagaName = sagaName;
        this.sagaId = sagaId;
        this.step = step;
    }

    /** The saga definition's name, or {@code null} where none applies. */
    public String sagaName() {
        return sagaName;
    }

    /** The saga instance id, or {@code null} where none applies. */
    public String sagaId() {
        return sagaId;
    }

    /** The step name, or {@code null} where none applies. */
    public String step() {
        return step;
    }

    private static String describe(String message, String sagaName, String sagaId, String step) {
        StringBuilder where = new StringBuilder();
        if (sagaName != null) {
            where.append("saga '").append(sagaName).append('\'');
        }
        if (sagaId != null) {
            where.append(where.length() > 0 ? " " : "").append("instance ").append(sagaId);
        }
        if (step != null) {
            where.append(where.length() > 0 ? " " : "").append("step '").append(step).append('\'');
        }
        return where.length() == 0 ? message : message + " [" + where + "]";
    }
}
