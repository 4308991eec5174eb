package dev.sagaflow;

import java.util.Objects;

/**
 * A participant's reply to an awaiting step's command, delivered by the host with
 * {@link SagaOrchestrator#reply(SagaReply)}. Address it by saga id and step name
 * ({@link #success(String, String, Object)}), or by the {@link StepContext#correlationId()} the action sent with its
 * command ({@link #successForCorrelationId(String, Object)}). Immutable.
 *
 * @param sagaId the instance
 * @param step the awaiting step
 * @param succeeded whether the participant did what was asked
 * @param payload a success reply's payload (converted to the step's reply type), or {@code null}
 * @param reason a failure reply's reason, or {@code null}
 */
public record SagaReply(String sagaId, String step, boolean succeeded, Object payload, String reason) {
    public SagaReply {
        if (sagaId == null || sagaId.isBlank()) {
            throw new IllegalArgumentException("reply sagaId cannot be null or blank");
        }
        if (step == null || step.isBlank()) {
            throw new IllegalArgumentException("reply step cannot be null or blank (saga " + sagaId + ")");
        }
    }

    /** A success reply for a step of an instance. */
    public static SagaReply success(String sagaId, String step, Object payload) {
        return new SagaReply(sagaId, step, true, payload, null);
    }

    /** A failure reply for a step of an instance: the participant said no. */
    public static SagaReply failure(String sagaId, String step, String reason) {
        return new SagaReply(sagaId, step, false, null, Objects.requireNonNullElse(reason, "failure reply"));
    }

    /**
     * A success reply addressed by the correlation id the action sent with its command
     * ({@link StepContext#correlationId()}, {@code <sagaId>:<step>}).
     *
     * @throws IllegalArgumentException if {@code correlationId} is not of that form
     */
    public static SagaReply successForCorrelationId(String correlationId, Object payload) {
        String[] parts = split(correlationId);
        return success(parts[0], parts[1], payload);
    }

    /**
     * A failure reply addressed by the correlation id the action sent with its command.
     *
     * @throws IllegalArgumentException if {@code correlationId} is not of the form {@code <sagaId>:<step>}
     */
    public static SagaReply failureForCorrelationId(String correlationId, String reason) {
        String[] parts = split(correlationId);
        return failure(parts[0], parts[1], reason);
    }

    /**
     * A success reply addressed by correlation id.
     *
     * @deprecated two arguments read like {@code (sagaId, step)} but mean {@code (correlationId, payload)}; use
     *     {@link #successForCorrelationId(String, Object)}, or {@link #success(String, String, Object)} to address
     *     a reply by saga id and step
     */
    @Deprecated
    public static SagaReply success(String correlationId, Object payload) {
        return successForCorrelationId(correlationId, payload);
    }

    /**
     * A failure reply addressed by correlation id.
     *
     * @deprecated two arguments read like {@code (sagaId, step)} but mean {@code (correlationId, reason)}; use
     *     {@link #failureForCorrelationId(String, String)}, or {@link #failure(String, String, String)}
     */
    @Deprecated
    public static SagaReply failure(String correlationId, String reason) {
        return failureForCorrelationId(correlationId, reason);
    }

    /** The correlation id of an instance's step: what {@link StepContext#correlationId()} returns. */
    public static String correlationId(String sagaId, String step) {
        return sagaId + ":" + step;
    }

    private static String[] split(String correlationId) {
        // Instance ids are UUIDs (no ':'), so the first ':' ends the id and step names may contain ':'.
        int colon = correlationId == null ? -1 : correlationId.indexOf(':');
        if (colon <= 0 || colon == correlationId.length() - 1) {
            throw new IllegalArgumentException("not a Sagaflow correlation id: '" + correlationId
                    + "' (expected <sagaId>:<step>, what StepContext.correlationId() gives); to address a reply by"
                    + " saga id and step name, use success(sagaId, step, payload) or failure(sagaId, step, reason)");
        }
        return new String[] {correlationId.substring(0, colon), correlationId.substring(colon + 1)};
    }
}
