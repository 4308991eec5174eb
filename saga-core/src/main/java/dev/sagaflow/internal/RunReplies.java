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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one run takes replies. A reply for a step that waits is applied with one write. A reply for a step whose
 * action still runs (the participant answered before the action returned) is recorded in the store at once, so
 * that {@code reply()} returns without waiting for the action, and applied when the action returns. Replies that
 * another node recorded are read when a step starts waiting, and before its reply timeout decides.
 * {@link #deliverHere} and {@link #checkRecorded} take the run's lock themselves (a reply comes from outside);
 * the other methods are called with it held, but {@link #recorded(String, String)}, which reads the store.
 */
final class RunReplies<D> {
    private static final Logger log = LoggerFactory.getLogger(RunReplies.class);
    private final SagaRun<D> run;
    private final RunHost host;
    private final RegisteredSaga<D> saga;
    private final SagaDefinition<D> definition;
    /** Replies recorded while their step's action ran, by step. */
    private final Map<String, Incoming> parked = new HashMap<>(2);

    /**
     * A reply on its way to the run: as recorded (or as it would be), with the participant's payload object when
     * it was delivered here rather than read from the store; {@code fromChild} for the end of a child saga, the
     * only reply a child step takes.
     */
    record Incoming(RecordedReply recorded, Object livePayload, boolean fromChild) {
        Incoming(RecordedReply recorded, Object livePayload) {
            this(recorded, livePayload, false);
        }

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
     * Delivers a reply to the run (this node drives the instance). Returns {@code true} once the reply is durable:
     * applied, or recorded for the action still running; {@code false}, having done nothing, if the run no longer
     * drives the instance (deliver it to whoever does). The saga goes on on the executor, not on the caller's
     * thread.
     *
     * @throws ReplyRejectedException if the step is not waiting for a reply, or one is already recorded
     * @throws SagaStoreException if the reply's write did not land (it is not durable; deliver it again later)
     */
    boolean deliverHere(Incoming reply) {
        Runnable next;
        synchronized (run) {
            if (run.isDone()) {
                return false;
            }
            next = take(reply, run.hasPending());
            if (run.hasPending()) {
                // This reply's own write is pending: it is not durable, so it must not be acknowledged.
                throw new SagaStoreException("the store is unavailable; the reply for step '" + reply.step()
                        + "' will be recorded when it is back, if this node lives; delivering it again is safe",
                        run.id(), null, SagaStoreException.Failure.OUTCOME_UNKNOWN);
            }
            if (run.lostToOther()) {
                return false;
            }
        }
        if (next != null) {
            host.execute(next);
        }
        return true;
    }

    /** Applies a reply that another node (or an earlier process) recorded for a step that now waits. */
    void checkRecorded(int index, String step) {
        if (saga.step(index).child() != null) {
            host.children().watch(run.id(), saga.step(index));
        }
        RecordedReply found;
        try {
            found = recorded(run.id(), step);
        } catch (RuntimeException e) {
            log.debug("saga {}: reading its recorded replies failed; its timeout or the next delivery decides: {}",
                    run.id(), e.toString());
            return;
        }
        if (found == null) {
            return;
        }
        Runnable next = null;
        synchronized (run) {
            if (!run.isDone() && !run.hasPending()
                    && run.instance().steps().get(index).status() == StepStatus.AWAITING_REPLY) {
                run.stopWaiting(index);
                next = apply(index, new Incoming(found, null));
            }
        }
        SagaRun.run(next);
    }

    /**
     * Takes a reply under the run's lock. Returns what to run next, or {@code null} when the reply was only
     * recorded.
     */
    private Runnable take(Incoming reply, boolean pendingWrite) {
        SagaInstance instance = run.instance();
        String problem = replyProblem(definition, instance, reply.step(), reply.fromChild());
        if (problem != null) {
            throw rejected(reply.step(), problem, reply.fromChild());
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
                throw rejected(reply.step(), "a reply for step '" + reply.step() + "' is already recorded",
                        reply.fromChild());
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
        Event event = recorded.succeeded() ? merge(index, reply) : refused(index, recorded);
        Transition transition = Transitions.decide(definition, run.instance(), event, run.env())
                .consuming(Set.of(reply.step()));
        return run.writer().write(transition, event, 0, null);
    }

    /**
     * A failure reply's event. A child saga's failure leaves something to undo unless the child was COMPENSATED
     * (its status is the reply's payload; a payload that does not say counts as possibly done).
     */
    private Event refused(int index, RecordedReply recorded) {
        if (saga.step(index).child() == null) {
            return new ReplyRefused(index, host.errors().clean("failure reply: " + recorded.reason()), false);
        }
        boolean compensated = ("\"" + SagaStatus.COMPENSATED.name() + "\"").equals(recorded.payloadJson());
        return new ReplyRefused(index, host.errors().clean(recorded.reason()), !compensated);
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
    static String replyProblem(SagaDefinition<?> definition, SagaInstance instance, String stepName,
            boolean fromChild) {
        StepDefinition<?> step = definition.step(stepName).orElse(null);
        if (step == null) {
            return "the saga has no step '" + stepName + "'";
        }
        if (step.child() != null && !fromChild) {
            return "step '" + stepName + "' waits for its child saga '" + step.child().saga().name()
                    + "'; only the child's end completes it";
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
        return rejected(step, problem, false);
    }

    /** A rejection; {@code quietly} (a child's end its parent no longer waits for) without a REPLY_REJECTED event. */
    ReplyRejectedException rejected(String step, String problem, boolean quietly) {
        if (!quietly) {
            host.emit(new HistoryEntry(run.id(), host.now(), SagaEventType.REPLY_REJECTED, step, 0, problem),
                    definition.name());
        }
        return new ReplyRejectedException("reply rejected: " + problem, definition.name(), run.id(), step);
    }
}
