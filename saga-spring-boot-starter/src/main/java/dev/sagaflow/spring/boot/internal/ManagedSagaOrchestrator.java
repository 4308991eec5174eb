package dev.sagaflow.spring.boot.internal;

import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaQuery;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.context.SmartLifecycle;

/**
 * The orchestrator bean: a {@link SagaOrchestrator} that is built when the application context starts and closed
 * when it stops (a {@link SmartLifecycle} in {@link #PHASE}, so before the web server takes requests and after it
 * stopped taking them). Building it never needs the database: with the store unreachable it starts, and recovers
 * on its poll interval once the store is back. Between a stop and a start, calls throw
 * {@link OrchestratorClosedException}. Thread-safe.
 */
public final class ManagedSagaOrchestrator implements SagaOrchestrator, SmartLifecycle {
    /**
     * Below the web server's phases ({@code SmartLifecycle.DEFAULT_PHASE - 1024} and {@code - 2048}) and message
     * listener containers' ({@code DEFAULT_PHASE}): started before they deliver requests or replies, stopped after.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final LeaseWatch leaseWatch;
    private final Supplier<SagaOrchestrator> factory;
    private volatile SagaOrchestrator running;

    /**
     * @param leaseWatch the store wrapper the orchestrator writes through, for the health indicator
     * @param factory builds (and so starts) an orchestrator
     */
    public ManagedSagaOrchestrator(LeaseWatch leaseWatch, Supplier<SagaOrchestrator> factory) {
        this.leaseWatch = leaseWatch;
        this.factory = factory;
    }

    /** The store wrapper that tells whether this node's leases are current. */
    public LeaseWatch leaseWatch() {
        return leaseWatch;
    }

    @Override
    public synchronized void start() {
        if (running == null) {
            running = factory.get();
        }
    }

    @Override
    public synchronized void stop() {
        SagaOrchestrator current = running;
        running = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private SagaOrchestrator orchestrator() {
        SagaOrchestrator current = running;
        if (current == null) {
            throw new OrchestratorClosedException("the Sagaflow orchestrator is not running: the application context"
                    + " has not started it yet, or has stopped it", null, null);
        }
        return current;
    }

    @Override
    public <D> SagaExecution<D> start(SagaDefinition<D> definition, D data) {
        return orchestrator().start(definition, data);
    }

    @Override
    public <D> SagaExecution<D> start(SagaDefinition<D> definition, D data, String idempotencyKey) {
        return orchestrator().start(definition, data, idempotencyKey);
    }

    @Override
    public <D> SagaOutcome<D> run(SagaDefinition<D> definition, D data) {
        return orchestrator().run(definition, data);
    }

    @Override
    public void reply(SagaReply reply) {
        orchestrator().reply(reply);
    }

    @Override
    public Optional<SagaInfo> find(String sagaId) {
        return orchestrator().find(sagaId);
    }

    @Override
    public List<SagaInfo> children(String sagaId) {
        return orchestrator().children(sagaId);
    }

    @Override
    public List<SagaCount> count(SagaQuery query) {
        return orchestrator().count(query);
    }

    @Override
    public int purgeFinished(Instant finishedBefore) {
        return orchestrator().purgeFinished(finishedBefore);
    }

    @Override
    public Optional<SagaInfo> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        return orchestrator().findByIdempotencyKey(sagaName, idempotencyKey);
    }

    @Override
    public List<SagaInfo> list(SagaQuery query) {
        return orchestrator().list(query);
    }

    @Override
    public SagaExecution<?> retry(String sagaId) {
        return orchestrator().retry(sagaId);
    }

    @Override
    public SagaExecution<?> retry(String sagaId, String actor) {
        return orchestrator().retry(sagaId, actor);
    }

    @Override
    public void abort(String sagaId, String reason) {
        orchestrator().abort(sagaId, reason);
    }

    @Override
    public void abort(String sagaId, String reason, String actor) {
        orchestrator().abort(sagaId, reason, actor);
    }

    @Override
    public int recover() {
        return orchestrator().recover();
    }

    @Override
    public String nodeId() {
        return orchestrator().nodeId();
    }

    /** Closes the orchestrator (also done by {@link #stop()}). */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        SagaOrchestrator current = running;
        return "ManagedSagaOrchestrator[" + (current == null ? "stopped" : "node " + current.nodeId()) + "]";
    }
}
