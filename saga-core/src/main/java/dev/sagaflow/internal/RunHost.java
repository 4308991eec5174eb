package dev.sagaflow.internal;

import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.SagaCodec;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What a {@link SagaRun} needs from the orchestrator that drives it: nothing more. */
interface RunHost {
    SagaStore store();

    SagaCodec codec();

    /** This node's id, the owner of what it writes. */
    String nodeId();

    /** How long the leases this node writes hold. */
    Duration leaseDuration();

    /** The node's clock, to the millisecond. */
    Instant now();

    /** The inputs of a decision at this moment. */
    Transitions.Env env();

    boolean isClosed();

    /** Whether the node stopped as if it had died: nothing more may be written. */
    boolean isHalted();

    /** Whether this node's leases are known to hold now (it renewed within its lease). */
    boolean leaseHeld();

    /** Advances when a renewal succeeded after the lease had run out: runs must read their instance again. */
    long leaseEpoch();

    /** Calls {@code run.leaseConfirmed(...)} once the lease is renewed and the run's instance re-read. */
    void awaitLease(SagaRun<?> run);

    /** Runs {@code task} on the executor after {@code delay}. */
    SagaTimer.Scheduled later(Duration delay, Runnable task);

    /** Runs {@code task} on the executor; a rejected task is tried again later, never dropped. */
    void execute(Runnable task);

    void emit(HistoryEntry entry, String sagaName);

    List<StepInterceptor> interceptors();

    List<AttemptObserver> attemptObservers();

    /** The run stopped driving its instance (it finished, lost it, or was stopped). */
    void forget(SagaRun<?> run);

    /** Completes {@code outcome} when another node (or an operator) has finished the instance. */
    <D> void watch(String id, SagaDefinition<D> definition, CompletableFuture<SagaOutcome<D>> outcome);

    /** An attempt this node was running has returned or been given up (for {@code close()}). */
    void attemptFinished();

    OrchestratorClosedException closedException(String sagaName, String sagaId);

    /** How long the next attempt at a step waits for a timed-out synchronous attempt to return. */
    Duration timeoutGrace();

    ErrorText errors();

    /** The longest saga data, in characters of JSON, that may be written. */
    int maxDataLength();

    /** The delays between retries of a write while the store is unavailable. */
    RetryPolicy storeBackoff();

    /** {@code payload} as an instance of {@code type}, through the codec if needed. */
    Object convert(Object payload, Class<?> type) throws Exception;

    /** The instance cannot be written even as FAILED: leave it alone and report it. */
    void quarantine(SagaInstance instance, String reason);
}
