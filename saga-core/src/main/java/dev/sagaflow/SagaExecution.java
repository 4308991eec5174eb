package dev.sagaflow;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A started saga instance: its id at once, its outcome later. Thread-safe.
 *
 * @param <D> the saga data type
 */
public final class SagaExecution<D> {
    private final String sagaId;
    private final boolean alreadyStarted;
    private final CompletableFuture<SagaOutcome<D>> outcome;

    /** For the runtime. */
    public SagaExecution(String sagaId, boolean alreadyStarted, CompletableFuture<SagaOutcome<D>> outcome) {
        this.sagaId = sagaId;
        this.alreadyStarted = alreadyStarted;
        this.outcome = outcome;
    }

    /** The instance id. */
    public String sagaId() {
        return sagaId;
    }

    /** {@code true} when the idempotency key matched an existing instance and nothing new was started. */
    public boolean alreadyStarted() {
        return alreadyStarted;
    }

    /**
     * Completes with the outcome when the instance is COMPLETED, COMPENSATED or FAILED; completes
     * exceptionally with {@link OrchestratorClosedException} if this orchestrator closes first (the
     * instance then goes on from the store). Completing or cancelling the returned future has no
     * effect on the saga.
     */
    public CompletableFuture<SagaOutcome<D>> outcome() {
        return outcome.copy();
    }

    /**
     * Waits for the outcome.
     *
     * @throws TimeoutException if it has not arrived within {@code timeout}
     * @throws SagaException if the orchestrator closed, or another Sagaflow error ended the wait
     */
    public SagaOutcome<D> await(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (CancellationException e) {
            throw new IllegalStateException("outcome of saga instance " + sagaId + " was cancelled", e);
        }
    }

    static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new IllegalStateException(cause);
    }

    @Override
    public String toString() {
        return "SagaExecution[" + sagaId + (alreadyStarted ? ", already started" : "") + "]";
    }
}
