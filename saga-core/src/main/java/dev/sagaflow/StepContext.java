package dev.sagaflow;

import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What an action or a compensation knows about the attempt it runs in. Immutable.
 *
 * <p>The {@link #idempotencyKey()} is the same for every attempt of the same step of the same saga
 * instance, across retries, crashes and nodes: participants use it to apply a command once however
 * often it arrives. Actions run at least once, so every participant should.
 */
public interface StepContext {
    /** The saga instance id. */
    String sagaId();

    /** The saga definition's name. */
    String sagaName();

    /** The step's name. */
    String stepName();

    /** The attempt number, from 1. Re-runs after a crash count as attempts. */
    int attempt();

    /** {@code true} when this is the step's compensation rather than its action. */
    boolean isCompensation();

    /**
     * A key stable across every attempt of this step's action (or, separately, of its compensation)
     * in this instance: {@code <sagaId>:<step>} for the action, {@code <sagaId>:<step>:compensation}
     * for the compensation.
     */
    String idempotencyKey();

    /**
     * {@code <sagaId>:<step>}, in the action and in the compensation alike: for an awaiting step,
     * the id to send with the command so that the reply can be routed back with
     * {@link SagaReply#successForCorrelationId(String, Object)}; for a compensation, the key its action used, to
     * find what to undo. It equals the action's idempotency key.
     */
    String correlationId();

    /**
     * When this attempt's time is up, if ever: the step's timeout for this attempt or the saga's deadline,
     * whichever comes first. Bound remote calls by it; after it, the attempt's outcome no longer counts.
     */
    Optional<Instant> deadline();

    /**
     * The saga instance's metadata: string attributes set when it started and kept with it (for example a trace
     * context). Immutable; empty if none.
     */
    default Map<String, String> metadata() {
        return Map.of();
    }

    /**
     * For a {@code local()} step: the connection of the store transaction that will also record this
     * attempt's outcome. Do the step's work with it and neither commit nor close it; the work and
     * the checkpoint then commit, or roll back, together.
     *
     * @throws IllegalStateException if the step is not local
     */
    Connection connection();

    /**
     * Headers to send with an outgoing command, contributed by the orchestrator's
     * {@link dev.sagaflow.spi.AttemptObserver}s (with tracing on, the W3C {@code traceparent} of this
     * attempt's span), so that a participant continues the saga's trace. Copy them into the message's
     * headers. Immutable; empty when no observer contributes any.
     */
    default Map<String, String> headers() {
        return Map.of();
    }
}
