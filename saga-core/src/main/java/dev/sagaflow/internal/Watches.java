package dev.sagaflow.internal;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.UnknownSagaException;
import dev.sagaflow.store.SagaInstance;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outcomes of instances this node does not drive (another node does, or it ended): completed when the
 * instance ends, from the run that drives it here if there is one, otherwise by reading the store every poll
 * interval. Thread-safe.
 */
final class Watches {
    private static final Logger log = LoggerFactory.getLogger(Watches.class);

    private final Orchestrator node;
    private final Set<CompletableFuture<?>> watched = ConcurrentHashMap.newKeySet();

    Watches(Orchestrator node) {
        this.node = node;
    }

    /**
     * The outcome of a stored instance: its run's if this node drives it, at once if it has ended (FAILED
     * included), otherwise the store's, polled every poll interval.
     */
    <D> CompletableFuture<SagaOutcome<D>> outcomeOf(RegisteredSaga<D> saga, SagaInstance instance) {
        SagaRun<?> run = node.run(instance.id());
        if (run != null) {
            return Orchestrator.outcomeOf(run);
        }
        // What the caller read may be stale already: the run that drove it here may have just finished it.
        SagaInstance current = instance.status().isLive() ? node.store().find(instance.id()).orElse(instance)
                : instance;
        CompletableFuture<SagaOutcome<D>> outcome = new CompletableFuture<>();
        if (current.status().isLive()) {
            watch(current.id(), saga.definition(), outcome);
        } else {
            outcome.complete(finished(saga.definition(), current));
        }
        return outcome;
    }

    /** Completes {@code outcome} when the instance has ended, looking every poll interval. */
    <D> void watch(String id, SagaDefinition<D> definition, CompletableFuture<SagaOutcome<D>> outcome) {
        watched.add(outcome);
        outcome.whenComplete((result, error) -> watched.remove(outcome));
        node.later(node.pollInterval(), () -> poll(id, definition, outcome));
    }

    private <D> void poll(String id, SagaDefinition<D> definition, CompletableFuture<SagaOutcome<D>> outcome) {
        if (outcome.isDone() || node.isClosed()) {
            return;
        }
        try {
            SagaInstance instance = node.store().find(id).orElse(null);
            if (instance == null) {
                outcome.completeExceptionally(new UnknownSagaException("saga instance disappeared from the store",
                        definition.name(), id));
                return;
            }
            if (!instance.status().isLive()) {
                outcome.complete(finished(definition, instance));
                return;
            }
            SagaRun<?> run = node.run(id);
            if (run != null && (Object) run.outcome() != outcome) {
                // This node drives it again (it reconciled or adopted it): its run's outcome is this one.
                Orchestrator.<D>outcomeOf(run).whenComplete((result, error) -> {
                    if (error != null) {
                        outcome.completeExceptionally(error);
                    } else {
                        outcome.complete(result);
                    }
                });
                return;
            }
        } catch (RuntimeException e) {
            log.debug("watching saga {} failed, trying again: {}", id, e.toString());
        }
        node.later(node.pollInterval(), () -> poll(id, definition, outcome));
    }

    /** The outcome of an instance that has ended, its data read with {@code definition}. */
    <D> SagaOutcome<D> finished(SagaDefinition<D> definition, SagaInstance instance) {
        D data = node.decode(definition, instance);
        return new SagaOutcome<>(instance.id(), definition.name(), instance.status(), data, instance.error());
    }

    /** The node closes: every watched outcome completes with {@code reason}. */
    void stopAll(Supplier<RuntimeException> reason) {
        for (CompletableFuture<?> outcome : watched) {
            outcome.completeExceptionally(reason.get());
        }
    }
}
