package dev.sagaflow.internal;

import dev.sagaflow.BranchMerger;
import dev.sagaflow.ProbeOutcome;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.StepTimeoutException;
import dev.sagaflow.internal.RunReplies.Incoming;
import dev.sagaflow.internal.SagaRun.NullHandlerResult;
import dev.sagaflow.internal.SagaRun.UnstorableResult;
import dev.sagaflow.internal.Transitions.Failed;
import dev.sagaflow.internal.Transitions.ProbeCause;
import dev.sagaflow.internal.Transitions.Probed;
import dev.sagaflow.internal.Transitions.Resumed;
import dev.sagaflow.internal.Transitions.Succeeded;
import dev.sagaflow.internal.Transitions.Transition;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one run turns what its attempts report into events, and writes them: a result (merged into the data for a
 * parallel branch, or overruled by a reply that came while the action ran), a failure (retryable or not, possibly
 * done or not), a probe's answer, a local step's success decided inside its transaction, a timeout. Every method
 * is called with the run's lock held, for an attempt that is still the run's current one.
 */
final class RunOutcomes<D> {
    private static final Logger log = LoggerFactory.getLogger(RunOutcomes.class);

    private final SagaRun<D> run;
    private final RunHost host;
    private final RegisteredSaga<D> saga;
    private final SagaDefinition<D> definition;
    /** Compensations whose probe said the action took effect, or could not tell: they run without asking again. */
    private final Set<Integer> probedBeforeCompensation = new HashSet<>(2);

    RunOutcomes(SagaRun<D> run, RunHost host, RegisteredSaga<D> saga) {
        this.run = run;
        this.host = host;
        this.saga = saga;
        this.definition = saga.definition();
    }

    /** An attempt returned {@code result} or failed with {@code error}; writes what follows. */
    Runnable returned(Attempt<D> attempt, D result, Throwable error) {
        Throwable failure = error;
        if (failure == null && result == null) {
            failure = new NullHandlerResult((attempt.compensation() ? "compensation" : "action")
                    + " returned null data");
        }
        Incoming parked = attempt.compensation() ? null : run.replies().takeParked(attempt.index());
        if (parked != null) {
            // The command went out, so the reply decides the step whatever the action's own outcome.
            run.data(failure == null ? mergedOrKept(attempt.index(), result) : run.restoreData());
            return run.replies().apply(attempt.index(), parked);
        }
        return failure == null ? succeeded(attempt, result)
                : run.writer().apply(failed(attempt.index(), attempt.compensation(), failure, false));
    }

    /** The event of a successful attempt: its result, merged into the data if the step is a parallel branch. */
    private Runnable succeeded(Attempt<D> attempt, D result) {
        D value = result;
        if (!attempt.compensation() && definition.groupOf(attempt.index()).isPresent()) {
            try {
                value = merged(attempt.index(), result);
            } catch (RuntimeException e) {
                return run.writer().apply(new Failed(attempt.index(), false, e, "its result could not be merged: "
                        + host.errors().describe(e), true, false));
            }
        }
        return run.writer().apply(new Succeeded(attempt.index(), attempt.compensation(), value, attempt.timeoutAt()));
    }

    /** A parallel branch's result merged into the current data with the group's merger; other results as they are. */
    private D merged(int index, D result) {
        SagaDefinition.ParallelGroup<D> group = definition.groupOf(index).orElse(null);
        if (group == null) {
            return result;
        }
        BranchMerger<D> merger = group.merger();
        try {
            D value = merger.merge(run.data(), saga.step(index).name(), result);
            if (value == null) {
                throw new NullHandlerResult("the merger of group '" + group.name() + "' returned null data");
            }
            return value;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private D mergedOrKept(int index, D result) {
        try {
            return merged(index, result);
        } catch (RuntimeException e) {
            log.warn("saga {}: the result of step '{}' could not be merged; its reply decides: {}", run.id(),
                    saga.step(index).name(), e.toString());
            return run.restoreData();
        }
    }

    /**
     * The event of a failed attempt. A handler that broke its contract, a result the store cannot take, and a
     * business rejection are never retried.
     */
    Failed failed(int index, boolean compensation, Throwable error, boolean possiblyDone) {
        boolean retryable = !(error instanceof NullHandlerResult) && !(error instanceof UnstorableResult)
                && !saga.step(index).isRejection(error);
        return new Failed(index, compensation, error, host.errors().describe(error), possiblyDone, retryable);
    }

    /** A probe answered (an exception counts as UNKNOWN). */
    Runnable probed(Attempt<D> attempt, ProbeOutcome answer) {
        if (attempt.probe() == ProbeCause.COMPENSATING && answer != ProbeOutcome.NOT_APPLIED) {
            // The compensation runs as it would have; the answer changes nothing worth a write.
            probedBeforeCompensation.add(attempt.index());
            log.debug("saga {}: the probe of step '{}' answered {}; compensating it", run.id(),
                    attempt.context().stepName(), answer);
            return run.act();
        }
        return run.writer().apply(new Probed(attempt.index(), attempt.probe(), answer, attempt.cause()));
    }

    /**
     * Whether step {@code index}'s compensation asks the step's probe first: its first attempt, for a step that
     * failed as possibly done, unless the probe has answered already. Read from the stored step, so whichever node
     * compensates it asks; what this run remembers only spares it asking twice (an answer that changes nothing is
     * not written).
     */
    boolean probesBeforeCompensating(int index, StepState step) {
        return saga.step(index).probe() != null && step.compensationAttempts() == 1 && step.mayHaveTakenEffect()
                && step.error() != null && !probedBeforeCompensation.contains(index);
    }

    /** Decides, inside a local attempt's transaction, the write that records its success. */
    InstanceWrite localSuccess(Attempt<D> attempt, D result) {
        D value = merged(attempt.index(), result);
        Transition transition = Transitions.decide(definition, run.instance(),
                new Succeeded(attempt.index(), attempt.compensation(), value, null), run.env());
        String problem = run.writer().checkData(transition);
        if (problem != null) {
            // The work rolls back with the transaction, so the step did not take effect.
            throw new UnstorableResult("its result could not be stored: " + problem);
        }
        attempt.decided(transition);
        return run.writer().toWrite(transition);
    }

    /**
     * A local attempt did not commit: its work rolled back. {@code conflict}: the version check failed (the
     * instance moved); otherwise the store failed ({@code error}) and the attempt runs again later.
     */
    Runnable localRolledBack(Attempt<D> attempt, boolean conflict, RuntimeException error) {
        if (conflict) {
            return run.writer().resolveConflict(null, null, 0, null);
        }
        if (RunWriter.isPermanent(error)) {
            return run.writer().apply(failed(attempt.index(), attempt.compensation(),
                    new UnstorableResult("the store refused it for good: " + host.errors().describe(error)), false));
        }
        Duration delay = host.storeBackoff().initialDelay();
        log.warn("saga {} ({}): the store failed during local step '{}', which was rolled back; running it again in"
                + " {} ms: {}", run.id(), definition.name(), attempt.context().stepName(), delay.toMillis(),
                error.toString());
        run.runAgainAfter(attempt.index(), delay);
        return null;
    }

    /**
     * The steps a takeover finds due and asks a probe about before it records the resume. Running: RUNNING steps
     * with a probe (not local ones, whose work rolled back with their transaction), whose interrupted attempts may
     * have taken effect. Compensating: a step whose probe is due before its first compensation attempt
     * ({@link #probesBeforeCompensating}); read from the stored state, since the node that saw the step time out
     * may have stopped before it asked. Under the run's lock.
     */
    List<Integer> dueWithProbes() {
        SagaInstance instance = run.instance();
        List<Integer> due = new ArrayList<>();
        boolean compensating = instance.status() == SagaStatus.COMPENSATING;
        if (instance.status() != SagaStatus.RUNNING && !compensating) {
            return due;
        }
        for (int index : InstanceStates.activeIndexes(instance)) {
            StepState step = instance.steps().get(index);
            if (!run.isDue(step) || saga.step(index).probe() == null) {
                continue;
            }
            boolean asks = compensating ? step.status() == StepStatus.COMPENSATING
                    && probesBeforeCompensating(index, step)
                    : step.status() == StepStatus.RUNNING && !saga.step(index).isLocal();
            if (asks) {
                due.add(index);
            }
        }
        return due;
    }

    /**
     * Asks the probes of the due steps whether their actions took effect (outside the lock), then records the
     * resume with their answers (under it), unless the instance moved meanwhile.
     */
    Runnable resumeAfterProbes(List<Integer> indexes) {
        long version;
        D snapshot;
        boolean compensating;
        synchronized (run) {
            version = run.instance().version();
            snapshot = run.data();
            compensating = run.instance().status() == SagaStatus.COMPENSATING;
        }
        Map<Integer, ProbeOutcome> answers = new HashMap<>();
        for (int index : indexes) {
            AttemptContext context = run.attempts().context(index, compensating, null);
            answers.put(index, AttemptInvoker.probe(saga.step(index).probe(), snapshot, context));
        }
        synchronized (run) {
            if (run.isDone() || run.instance().version() != version) {
                return run.act();
            }
            return run.writer().apply(new Resumed(answers));
        }
    }

    /** Step {@code index}'s attempt (or wait for a reply) timed out: ask its probe, or decide at once. */
    Runnable timedOut(int index, boolean compensating) {
        SagaInstance instance = run.instance();
        StepState step = instance.steps().get(index);
        if (!compensating && InstanceStates.deadlinePassed(definition, instance, host.now())) {
            // The saga's own deadline came with the step's: it decides (SAGA_ABORTED), not the step's timeout.
            return run.abortNow("saga deadline " + instance.deadline() + " exceeded");
        }
        String message = (compensating ? "compensation" : "action") + " timed out (attempt "
                + (compensating ? step.compensationAttempts() : step.attempts()) + ")";
        StepTimeoutException timeout = new StepTimeoutException(message, definition.name(), instance.id(), step.name());
        if (!compensating && saga.step(index).probe() != null) {
            return run.ask(index, ProbeCause.TIMED_OUT, timeout);
        }
        return run.writer().apply(failed(index, compensating, timeout, true));
    }
}
