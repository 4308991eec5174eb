package dev.sagaflow.internal;

import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Child sagas: a step that starts another registered saga and waits, durably, for its end.
 *
 * <p>The child is started once per parent instance and step, by idempotency key {@code parent:<id>:<step>}, so a
 * retried, resumed or taken-over attempt finds the same child. Once it is inserted the parent's step waits as an
 * awaiting step does (AWAITING_REPLY): the child's end reaches it as an internal reply, from the node that runs the
 * child, or from a watch the parent sets up whenever its step starts waiting (the child's run here, or the store
 * polled every poll interval), so a crash between the child's last write and the delivery delays the parent by at
 * most a poll interval and loses nothing.
 *
 * <p>Compensating a child: a COMPLETED child is reopened ({@code COMPLETED -> COMPENSATING}) and driven here, a
 * RUNNING one aborted, and the compensation attempt waits until it is COMPENSATED. A child that was never started is
 * recorded COMPENSATED under its key, so an attempt still under way cannot start it afterwards. Thread-safe.
 */
final class ChildSagas {
    private static final Logger log = LoggerFactory.getLogger(ChildSagas.class);
    /** A child ends COMPLETED again while it is being compensated only if a start raced with the abort; bounded. */
    private static final int UNDO_TRIES = 5;

    private final Orchestrator node;

    ChildSagas(Orchestrator node) {
        this.node = node;
    }

    /** The idempotency key of the child that step {@code step} of instance {@code parentId} starts. */
    static String key(String parentId, String step) {
        return "parent:" + parentId + ":" + step;
    }

    // ---------------------------------------------------------------- starting and waiting

    /**
     * The action of a child step: starts the child (or finds the one started before) and hands the run the step
     * as sent, to wait for the child's end.
     */
    <D> void start(SagaRun<D> run, Attempt<D> attempt, ObservedAttempt observed) throws Exception {
        SagaDefinition.Child<D, ?> child = run.definition().steps().get(attempt.index()).child();
        startChild(attempt, observed, child);
        ObservedAttempt.ended(observed, null);
        if (attempt.markReturned()) {
            run.onSent(attempt, List.of());
        }
    }

    private <D, C> void startChild(Attempt<D> attempt, ObservedAttempt observed, SagaDefinition.Child<D, C> child)
            throws Exception {
        AttemptContext context = observed.context();
        C input;
        attempt.enter();
        try {
            input = child.input().input(attempt.data(), context);
        } finally {
            attempt.exit();
            observed.handlerReturned();
        }
        if (input == null) {
            throw new SagaRun.NullHandlerResult("the input of child saga '" + child.saga().name() + "' is null");
        }
        Map<String, String> parent = new LinkedHashMap<>();
        parent.put(SagaInfo.PARENT_ID, context.sagaId());
        parent.put(SagaInfo.PARENT_STEP, context.stepName());
        node.starts().start(child.saga(), input, key(context.sagaId(), context.stepName()), false, parent);
    }

    /**
     * Step {@code index} of {@code run} waits for its child: delivers the child's end to it once known. Called
     * each time the step starts waiting on this node (outside the run's lock).
     */
    void watch(String parentId, StepDefinition<?> step) {
        SagaDefinition<?> childSaga = step.child().saga();
        SagaInstance child;
        try {
            child = node.store().findByIdempotencyKey(childSaga.name(), key(parentId, step.name())).orElse(null);
        } catch (RuntimeException e) {
            log.debug("saga {}: looking up the child of step '{}' failed, trying again: {}", parentId, step.name(),
                    e.toString());
            node.later(node.pollInterval(), () -> watch(parentId, step));
            return;
        }
        if (child == null) {
            deliver(parentId, step.name(), SagaStatus.FAILED, null, "its child saga '" + childSaga.name()
                    + "' is not in the store (purged or deleted)");
            return;
        }
        if (node.run(child.id()) != null) {
            return; // It runs here: its end is delivered when it ends (ended()).
        }
        outcome(node.definitions().registered(childSaga), child).whenComplete((outcome, error) -> {
            if (error == null) {
                node.execute(() -> deliver(parentId, step.name(), outcome.status(), outcome.data(),
                        describe(childSaga, outcome)));
            } else if (!(SagaRun.unwrap(error) instanceof OrchestratorClosedException)) {
                log.debug("saga {}: waiting for the child of step '{}' failed, trying again: {}", parentId,
                        step.name(), error.toString());
                node.later(node.pollInterval(), () -> watch(parentId, step));
            }
        });
    }

    /**
     * A run ended its instance: if it is a child saga, its parent's step learns it (on the executor, never under
     * the child's lock).
     */
    void ended(SagaInstance instance, Object data) {
        String parentId = instance.metadata().get(SagaInfo.PARENT_ID);
        String step = instance.metadata().get(SagaInfo.PARENT_STEP);
        if (parentId == null || step == null) {
            return;
        }
        String reason = "child saga '" + instance.sagaName() + "' instance " + instance.id() + " is "
                + instance.status() + (instance.error() == null ? "" : ": " + instance.error());
        node.execute(() -> deliver(parentId, step, instance.status(), data, reason));
    }

    /** Hands a child's end to its parent's step; a parent that no longer waits for it ignores it. */
    private void deliver(String parentId, String step, SagaStatus status, Object data, String reason) {
        try {
            node.operations().childEnded(parentId, step, status, data, reason);
        } catch (RuntimeException e) {
            log.debug("saga {}: the end of the child of step '{}' was not applied: {}", parentId, step, e.toString());
        }
    }

    private static String describe(SagaDefinition<?> childSaga, SagaOutcome<?> outcome) {
        return "child saga '" + childSaga.name() + "' instance " + outcome.sagaId() + " is " + outcome.status()
                + (outcome.error() == null ? "" : ": " + outcome.error());
    }

    /** The outcome of an instance: its run's here, or the store's, polled while another node drives it. */
    private <C> CompletableFuture<SagaOutcome<C>> outcome(RegisteredSaga<C> saga, SagaInstance instance) {
        return node.outcomeOf(saga, instance);
    }

    // ---------------------------------------------------------------- compensating

    /** The compensation of a child step: completes, with the parent's data unchanged, once the child is undone. */
    <D> CompletionStage<D> compensate(SagaRun<D> run, Attempt<D> attempt) {
        attempt.waitsForChild();
        SagaDefinition.Child<D, ?> child = run.definition().steps().get(attempt.index()).child();
        AttemptContext context = attempt.context();
        String reason = "its parent " + context.sagaId() + " (" + context.sagaName() + ") compensates step '"
                + context.stepName() + "'";
        return undo(child, attempt.data(), context, reason, 1).thenApply(ignored -> attempt.data());
    }

    private <D, C> CompletableFuture<Void> undo(SagaDefinition.Child<D, C> child, D parentData, AttemptContext context,
            String reason, int tries) {
        RegisteredSaga<C> saga = node.definitions().registered(child.saga());
        String key = key(context.sagaId(), context.stepName());
        SagaInstance found = node.store().findByIdempotencyKey(saga.name(), key).orElse(null);
        if (found == null) {
            if (neverStarted(child, parentData, context, reason)) {
                return CompletableFuture.completedFuture(null);
            }
            return again(child, parentData, context, reason, tries, "its key was taken meanwhile");
        }
        CompletableFuture<SagaOutcome<C>> end;
        switch (found.status()) {
            case COMPENSATED:
                return CompletableFuture.completedFuture(null);
            case FAILED:
                return CompletableFuture.failedFuture(childFailed(saga, found.id(), found.error()));
            case COMPLETED:
                try {
                    end = node.operations().reopen(saga, found, reason);
                } catch (IllegalTransitionException e) {
                    return again(child, parentData, context, reason, tries, e.getMessage());
                }
                break;
            case RUNNING:
                try {
                    node.operations().abort(found.id(), reason, null);
                } catch (IllegalTransitionException e) {
                    log.debug("child saga {} could not be aborted, waiting for its end: {}", found.id(),
                            e.getMessage());
                }
                end = outcome(saga, found);
                break;
            default:
                end = outcome(saga, found);
        }
        return end.thenCompose(outcome -> switch (outcome.status()) {
            case COMPENSATED -> CompletableFuture.<Void>completedFuture(null);
            case FAILED -> CompletableFuture.<Void>failedFuture(childFailed(saga, outcome.sagaId(), outcome.error()));
            default -> again(child, parentData, context, reason, tries, "it ended " + outcome.status());
        });
    }

    private <D, C> CompletableFuture<Void> again(SagaDefinition.Child<D, C> child, D parentData,
            AttemptContext context, String reason, int tries, String why) {
        if (tries >= UNDO_TRIES) {
            return CompletableFuture.failedFuture(new IllegalStateException("child saga '" + child.saga().name()
                    + "' of step '" + context.stepName() + "' could not be compensated after " + tries + " tries: "
                    + why));
        }
        return CompletableFuture.supplyAsync(() -> undo(child, parentData, context, reason, tries + 1), node::execute)
                .thenCompose(next -> next);
    }

    private static IllegalStateException childFailed(RegisteredSaga<?> saga, String id, String error) {
        return new IllegalStateException("child saga '" + saga.name() + "' instance " + id + " is FAILED"
                + (error == null ? "" : " (" + error + ")") + "; once an operator has retried it, this compensation"
                + " is retried");
    }

    /**
     * No child is stored under the step's key. If the step never succeeded, its child never started (or its start
     * is still under way): record it COMPENSATED under the key, so that such a start finds it ended and nothing
     * runs. Returns {@code false} if the key was taken meanwhile.
     *
     * @throws IllegalStateException if the step had succeeded: its COMPLETED child was purged, and cannot be undone
     */
    private <D, C> boolean neverStarted(SagaDefinition.Child<D, C> child, D parentData, AttemptContext context,
            String reason) {
        boolean succeeded = node.store().history(context.sagaId()).stream().anyMatch(entry ->
                entry.type() == SagaEventType.STEP_SUCCEEDED && context.stepName().equals(entry.step()));
        if (succeeded) {
            throw new IllegalStateException("child saga '" + child.saga().name() + "' of step '" + context.stepName()
                    + "' completed but is no longer in the store (purged?), so it cannot be compensated; undo it by"
                    + " hand and mark this compensation done by retrying once it is undone");
        }
        C input;
        try {
            input = child.input().input(parentData, context);
        } catch (Exception e) {
            throw new IllegalStateException("the input of child saga '" + child.saga().name() + "' failed: " + e, e);
        }
        RegisteredSaga<C> saga = node.definitions().registered(child.saga());
        SagaDefinition<C> definition = saga.definition();
        Instant now = node.now();
        String id = UUID.randomUUID().toString();
        String why = "never started: " + reason + " first";
        Map<String, String> metadata = Map.of(SagaInfo.PARENT_ID, context.sagaId(), SagaInfo.PARENT_STEP,
                context.stepName());
        SagaInstance tombstone = new SagaInstance(id, definition.name(), definition.version(), definition.fingerprint(),
                key(context.sagaId(), context.stepName()), SagaStatus.COMPENSATED, SagaData.ofValue(input,
                node.codec()), List.of(saga.pendingSteps()), now, now, null, null, null, 1, why, metadata);
        HistoryEntry entry = new HistoryEntry(id, now, SagaEventType.SAGA_COMPENSATED, null, 0, why);
        return node.store().insert(InstanceWrite.of(tombstone, List.of(entry), null));
    }

    // ---------------------------------------------------------------- for operators

    /** The children that instance {@code parent}'s steps started, in step order (without history). */
    List<SagaInstance> children(SagaInstance parent, SagaDefinition<?> definition) {
        List<SagaInstance> found = new ArrayList<>();
        for (StepDefinition<?> step : definition.steps()) {
            if (step.child() != null) {
                node.store().findByIdempotencyKey(step.child().saga().name(), key(parent.id(), step.name()))
                        .ifPresent(found::add);
            }
        }
        return found;
    }
}
