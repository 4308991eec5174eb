package dev.sagaflow.internal;

import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepStatus;
import dev.sagaflow.UnknownSagaException;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.SagaOutcome;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What reaches an instance from outside: replies (applied by the run that drives it here, or recorded for the node
 * that drives it, or applied after taking it over when its step waits), and an operator's abort and retry.
 * Thread-safe.
 */
final class Operations {
    private static final int DELIVERY_TRIES = 5;
    private static final int MAX_ACTOR_LENGTH = 200;

    private final Orchestrator node;

    Operations(Orchestrator node) {
        this.node = node;
    }

    void reply(SagaReply reply) {
        Checks.notNull(reply, "reply");
        node.checkOpen(null);
        Object payload = reply.payload();
        String payloadJson;
        try {
            payloadJson = payload == null ? null : node.codec().encode(payload);
        } catch (Exception e) {
            throw new IllegalArgumentException("the payload of the reply for step '" + reply.step() + "' of saga "
                    + "instance " + reply.sagaId() + " cannot be serialised: " + e.getMessage(), e);
        }
        RecordedReply recorded = new RecordedReply(reply.sagaId(), reply.step(), reply.succeeded(), payloadJson,
                node.errors().clean(reply.reason()), node.now());
        deliver(new RunReplies.Incoming(recorded, payload, false));
    }

    /**
     * A child saga ended: its parent's step {@code step} takes it as an internal reply. A COMPLETED child's data is
     * the payload; for another end, the payload is the child's status, so that a stored reply still tells a
     * COMPENSATED child (nothing to undo) from a FAILED one.
     *
     * @throws ReplyRejectedException if the parent's step no longer waits for it
     */
    void childEnded(String parentId, String step, SagaStatus status, Object data, String reason) {
        node.checkOpen(null);
        boolean completed = status == SagaStatus.COMPLETED;
        Object payload = completed ? data : status.name();
        String payloadJson;
        try {
            payloadJson = node.codec().encode(payload);
        } catch (Exception e) {
            throw new IllegalStateException("the data of the child of step '" + step + "' of saga instance " + parentId
                    + " cannot be serialised: " + e.getMessage(), e);
        }
        RecordedReply recorded = new RecordedReply(parentId, step, completed, payloadJson,
                completed ? null : node.errors().clean(reason), node.now());
        deliver(new RunReplies.Incoming(recorded, payload, true));
    }

    private void deliver(RunReplies.Incoming incoming) {
        RecordedReply recorded = incoming.recorded();
        for (int tries = 0; tries < DELIVERY_TRIES; tries++) {
            SagaRun<?> run = node.run(recorded.sagaId());
            if (run != null) {
                if (run.deliver(incoming)) {
                    return;
                }
                continue;
            }
            if (deliverElsewhere(incoming)) {
                return;
            }
        }
        throw new SagaStoreException("the reply for step '" + recorded.step() + "' could not be delivered: the"
                + " instance kept changing under it; deliver it again", recorded.sagaId(), null,
                SagaStoreException.Failure.TRANSIENT);
    }

    /**
     * Delivers a reply for an instance this node does not drive. If the step waits for it, this node takes the
     * instance over and applies it; if the step's action still runs on another node, the reply is recorded in
     * the store for that node (or whoever resumes the instance) to apply. Returns {@code false} if a race was
     * lost and the delivery should be tried again.
     */
    private boolean deliverElsewhere(RunReplies.Incoming incoming) {
        String id = incoming.recorded().sagaId();
        String step = incoming.step();
        SagaInstance instance = node.store().find(id).orElse(null);
        if (instance == null) {
            throw new ReplyRejectedException("reply rejected: there is no such saga instance", null, id, step);
        }
        RegisteredSaga<?> saga = node.definitions().resolve(instance, node.nodeId());
        Orchestrator.requireConsistent(saga.definition(), instance);
        String problem = RunReplies.replyProblem(saga.definition(), instance, step, incoming.fromChild());
        if (problem != null) {
            throw rejectedReply(saga, instance, step, problem, incoming.fromChild());
        }
        if (instance.step(step).status() == StepStatus.AWAITING_REPLY) {
            SagaRun<?> run = adopt(saga, instance);
            if (run == null) {
                return false;
            }
            boolean delivered;
            try {
                delivered = run.deliver(incoming);
            } catch (RuntimeException e) {
                node.execute(() -> run.resume(false));
                throw e;
            }
            return delivered;
        }
        if (!node.store().recordReply(incoming.recorded())) {
            throw rejectedReply(saga, instance, step, "a reply for step '" + step + "' is already recorded",
                    incoming.fromChild());
        }
        // If the action returned meanwhile, its node may have looked for recorded replies before this one was
        // written: look again, and take over to apply it if the step now waits.
        SagaInstance again = node.store().find(id).orElse(null);
        if (again != null && again.status() == SagaStatus.RUNNING
                && again.step(step).status() == StepStatus.AWAITING_REPLY) {
            SagaRun<?> run = adopt(saga, again);
            if (run != null) {
                node.execute(() -> run.resume(false));
            }
        }
        return true;
    }

    private ReplyRejectedException rejectedReply(RegisteredSaga<?> saga, SagaInstance instance, String step,
            String problem, boolean quietly) {
        if (!quietly) {
            node.emit(new HistoryEntry(instance.id(), node.now(), SagaEventType.REPLY_REJECTED, step, 0, problem),
                    saga.name());
        }
        return new ReplyRejectedException("reply rejected: " + problem, saga.name(), instance.id(), step);
    }

    /** Takes over a live instance that another node (or none) drives, to act on it here; null if the race was lost. */
    private <D> SagaRun<D> adopt(RegisteredSaga<D> saga, SagaInstance instance) {
        Orchestrator.requireConsistent(saga.definition(), instance);
        D data = node.decode(saga.definition(), instance);
        Instant now = node.now();
        SagaInstance claimed = instance.claimedBy(node.nodeId(), null, now);
        if (!node.store().update(instance.version(), InstanceWrite.of(claimed, List.of(), node.leaseDuration()))) {
            return null;
        }
        SagaRun<D> run = new SagaRun<>(node, saga, claimed, data);
        return node.register(run) ? run : null;
    }


    void abort(String sagaId, String reason, String actor) {
        Checks.notBlank(sagaId, "sagaId");
        checkActor(actor);
        String given = reason == null || reason.isBlank() ? "aborted by an operator" : reason;
        String why = actor == null ? given : "by " + actor + ": " + given;
        node.checkOpen(null);
        for (int tries = 0; tries < DELIVERY_TRIES; tries++) {
            SagaRun<?> run = node.run(sagaId);
            if (run == null) {
                SagaInstance instance = node.store().find(sagaId)
                        .orElseThrow(() -> new UnknownSagaException("no such saga instance", null, sagaId));
                RegisteredSaga<?> saga = node.definitions().resolve(instance, node.nodeId());
                Orchestrator.requireConsistent(saga.definition(), instance);
                String problem = InstanceStates.abortProblem(saga.definition(), instance);
                if (problem != null) {
                    throw new IllegalTransitionException("cannot abort: " + problem, saga.name(), sagaId, null);
                }
                run = adopt(saga, instance);
                if (run != null) {
                    abortAdopted(run, why);
                    return;
                }
                continue;
            }
            run.abort(why);
            return;
        }
        throw new SagaStoreException("could not abort: the instance kept changing; try again", sagaId, null,
                SagaStoreException.Failure.TRANSIENT);
    }

    private static void abortAdopted(SagaRun<?> run, String reason) {
        try {
            run.abort(reason);
        } catch (RuntimeException e) {
            run.resume(false);
            throw e;
        }
    }

    SagaExecution<?> retry(String sagaId, String actor) {
        Checks.notBlank(sagaId, "sagaId");
        checkActor(actor);
        node.checkOpen(null);
        SagaInstance instance = node.store().find(sagaId)
                .orElseThrow(() -> new UnknownSagaException("no such saga instance", null, sagaId));
        return retry(node.definitions().resolve(instance, node.nodeId()), instance, actor);
    }

    /** An operator's name as it goes into the history: bounded, without control characters. */
    private static void checkActor(String actor) {
        if (actor != null) {
            Checks.name(actor, MAX_ACTOR_LENGTH, "actor");
            if (actor.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("actor cannot contain control characters: '"
                        + actor.replaceAll("\\p{Cntrl}", "?") + "'");
            }
        }
    }

    private <D> SagaExecution<D> retry(RegisteredSaga<D> saga, SagaInstance instance, String actor) {
        if (instance.status() != SagaStatus.FAILED) {
            throw new IllegalTransitionException("cannot retry: the saga is " + instance.status()
                    + "; only a FAILED saga can be retried (FAILED -> RUNNING or COMPENSATING)", saga.name(),
                    instance.id(), null);
        }
        Orchestrator.requireConsistent(saga.definition(), instance);
        SagaRun<D> run = new SagaRun<>(node, saga, instance, node.decode(saga.definition(), instance));
        if (!node.register(run)) {
            throw new IllegalTransitionException("cannot retry: the saga is being retried already", saga.name(),
                    instance.id(), null);
        }
        Runnable next = run.restart(new Transitions.OperatorRetried(actor), "retry");
        if (next != null) {
            node.execute(next);
        }
        return new SagaExecution<>(instance.id(), false, run.outcome());
    }

    /**
     * Reopens a COMPLETED child saga to compensate it, driven here; returns its outcome.
     *
     * @throws IllegalTransitionException if it is driven here already or changed meanwhile
     */
    <D> CompletableFuture<SagaOutcome<D>> reopen(RegisteredSaga<D> saga, SagaInstance instance, String reason) {
        Orchestrator.requireConsistent(saga.definition(), instance);
        SagaRun<D> run = new SagaRun<>(node, saga, instance, node.decode(saga.definition(), instance));
        if (!node.register(run)) {
            throw new IllegalTransitionException("cannot reopen: the saga is driven by this node already", saga.name(),
                    instance.id(), null);
        }
        Runnable next = run.restart(new Transitions.Reopened(reason), "reopen");
        if (next != null) {
            node.execute(next);
        }
        return run.outcome();
    }
}
