package dev.sagaflow.internal;

import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.StepStatus;
import dev.sagaflow.internal.Transitions.Event;
import dev.sagaflow.internal.Transitions.ReplyApplied;
import dev.sagaflow.internal.Transitions.ReplyRefused;
import dev.sagaflow.internal.Transitions.Transition;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * How one run takes replies. A reply for a step that waits is applied with one write. A reply for a step whose
 * action still runs (the participant answered before the action returned) is recorded in the store at once, so
 * that {@code reply()} returns without waiting for the action, and applied when the action returns. Replies that
 * another node recorded are read when a step starts waiting, and before its reply timeout decides. Every method is
 * called with the run's lock held, but {@link #recorded(String, String)}, which reads the store.
 */
final class RunReplies<D> {
    private final SagaRun<D> run;
    private final RunHost host;
    private final RegisteredSaga<D> saga;
    private final SagaDefinition<D> definition;
    /** Replies recorded while their step's action ran, by step. */
    private final Map<String, Incoming> parked = new HashMap<>(2);

    /**
     * A reply on its way to the run: as recorded (or as it would be), with the participant's payload object when
     * it was delivered here rather than read from the store.
     */
    record Incoming(RecordedReply recorded, Object livePayload) {
        String step() {
            return recorded.step();
        }
    }

    RunReplies(SagaRun<D> run, RunHost host, RegisteredSaga<D> saga) {
        this.run = run;
        this.host = host;
        this.saga = saga;
        this.definition = saga.definition();
    }

    /**
     * Takes a reply for this run (this node drives the instance). Returns what to run next on the executor, or
     * {@code null} when the reply was only recorded.
     *
     * @throws ReplyRejectedException if the step is not waiting for a reply, or one is already recorded
     * @throws SagaStoreException if the store could not record it (deliver it again later)
     */
    Runnable deliver(Incoming reply, boolean done, boolean pendingWrite) {
        SagaInstance instance = run.instance();
        String problem = done ? "the saga is no longer driven by this node"
                : replyProblem(definition, instance, reply.step());
        if (problem != null) {
            throw rejected(reply.step(), problem);
        }
        if (pendingWrite) {
            throw new SagaStoreException("the store is unavailable; the reply for step '" + reply.step()
                    + "' was not recorded, deliver it again later", run.id(), null,
                    SagaStoreException.Failure.TRANSIENT);
        }
        int index = definition.stepNames().indexOf(reply.step());
        if (run.isRunning(index) && instance.steps().get(index).status() == StepStatus.RUNNING) {
            // The action that sends the command still runs: keep the reply durably until it returns.
            if (parked.containsKey(reply.step()) || !host.store().recordReply(reply.recorded())) {
                throw rejected(reply.step(), "a reply for step '" + reply.step() + "' is already recorded");
            }
            parked.put(reply.step(), reply);
            return null;
        }
        run.stopWaiting(index);
        return apply(index, reply);
    }

    /** The reply recorded while step {@code index}'s action ran, taken; {@code null} if none. */
    Incoming takeParked(int index) {
        return parked.remove(definition.steps().get(index).name());
    }

    /** The steps whose parked replies an abort or a given-up group consumes. */
    Set<String> dropParked() {
        Set<String> steps = Set.copyOf(parked.keySet());
        parked.clear();
        return steps;
    }

    /** Merges and applies a reply to the awaiting step {@code index}, consuming its recorded entry. */
    Runnable apply(int index, Incoming reply) {
        RecordedReply recorded = reply.recorded();
        Event event = recorded.succeeded() ? merge(index, reply)
                : new ReplyRefused(index, host.errors().clean("failure reply: " + recorded.reason()), false);
        Transition transition = Transitions.decide(definition, run.instance(), event, run.env())
                .consuming(Set.of(reply.step()));
        return run.writer().write(transition, event, 0, null);
    }

    private Event merge(int index, Incoming reply) {
        StepDefinition<D> step = saga.step(index);
        try {
            Class<?> type = step.replyType().orElse(Object.class);
            Object payload = reply.livePayload() != null ? host.convert(reply.livePayload(), type)
                    : reply.recorded().payloadJson() == null ? null
                    : host.codec().decode(reply.recorded().payloadJson(), type);
            D merged = step.replyMerger().merge(run.data(), payload);
            if (merged == null) {
                throw new SagaRun.NullHandlerResult("reply merger returned null data");
            }
            return new ReplyApplied(index, merged);
        } catch (Exception e) {
            // The participant did act, so the step is compensated with the others.
            return new ReplyRefused(index, "reply could not be merged: " + host.errors().describe(e), true);
        }
    }

    /** The reply recorded in the store for {@code step} of instance {@code sagaId}, or {@code null}. */
    RecordedReply recorded(String sagaId, String step) {
        for (RecordedReply reply : host.store().replies(sagaId)) {
            if (reply.step().equals(step)) {
                return reply;
            }
        }
        return null;
    }

    /** {@link #recorded(String, String)}, or {@code null} also when the store cannot say. */
    RecordedReply recordedQuietly(String sagaId, String step) {
        try {
            return recorded(sagaId, step);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Why a reply for {@code step} cannot be applied to {@code instance}, or {@code null} if it can. */
    static String replyProblem(SagaDefinition<?> definition, SagaInstance instance, String stepName) {
        StepDefinition<?> step = definition.step(stepName).orElse(null);
        if (step == null) {
            return "the saga has no step '" + stepName + "'";
        }
        if (!step.awaitsReply()) {
            return "step '" + stepName + "' does not await replies";
        }
        StepState state = instance.step(stepName);
        if (instance.status() != SagaStatus.RUNNING) {
            return "the saga is " + instance.status() + " and step '" + stepName + "' is " + state.status();
        }
        if (state.status() != StepStatus.AWAITING_REPLY && state.status() != StepStatus.RUNNING) {
            return "step '" + stepName + "' is " + state.status() + ", not waiting for a reply";
        }
        return null;
    }

    ReplyRejectedException rejected(String step, String problem) {
        host.emit(new HistoryEntry(run.id(), host.now(), SagaEventType.REPLY_REJECTED, step, 0, problem),
                definition.name());
        return new ReplyRejectedException("reply rejected: " + problem, definition.name(), run.id(), step);
    }
}
