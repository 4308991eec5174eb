package dev.sagaflow.internal;

import dev.sagaflow.BranchMerger;
import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.ProbeOutcome;
import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.StepStatus;
import dev.sagaflow.StepTimeoutException;
import dev.sagaflow.internal.RunReplies.Incoming;
import dev.sagaflow.internal.Transitions.Aborted;
import dev.sagaflow.internal.Transitions.Event;
import dev.sagaflow.internal.Transitions.Failed;
import dev.sagaflow.internal.Transitions.ProbeCause;
import dev.sagaflow.internal.Transitions.Probed;
import dev.sagaflow.internal.Transitions.Resumed;
import dev.sagaflow.internal.Transitions.Succeeded;
import dev.sagaflow.internal.Transitions.Transition;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one saga instance on this node. It keeps the instance's last durable state, the attempts it runs (one per
 * step: several in a parallel group) and their timers. Every event (an attempt's result, a timer, a reply, an
 * abort) is handled under this object's lock in three moves: {@link Transitions#decide decide} the next state,
 * write it with one compare-and-set ({@link RunWriter}), and only then act on it ({@link #act()}: start the
 * attempts that are due, arm the timers of those that are not, finish). User code runs outside the lock, but for
 * mergers.
 *
 * <p>What to do is read from the durable state every time ("level-triggered"): a scheduled wake-up or runner only
 * starts an attempt if the step is still due and none runs for it; a timeout only acts on the attempt it was armed
 * for, and a reply timeout only on the wait it was armed for. So a timeout queued behind a result, a wake-up from
 * before a claim, or a runner from before a reply acts on nothing.
 */
final class SagaRun<D> {
    private static final Logger log = LoggerFactory.getLogger(SagaRun.class);

    private final RunHost host;
    private final RegisteredSaga<D> saga;
    private final SagaDefinition<D> definition;
    private final CompletableFuture<SagaOutcome<D>> outcome = new CompletableFuture<>();
    private final Timers timers;
    private final RunWriter<D> writer;
    private final RunReplies<D> replies;

    // Guarded by this.
    private SagaInstance instance;
    private D data;
    private final Map<Integer, Attempt<D>> running = new HashMap<>(2);
    private PendingWrite pending;
    private boolean done;
    private boolean lostToOther;
    private boolean awaitingLease;
    /** The lease epoch at which this run last knew its instance to be its own. */
    private long verifiedEpoch;
    /** Steps waiting for a reply whose recorded replies were looked for since they began to wait. */
    private final Set<Integer> repliesChecked = new HashSet<>(2);
    /** Compensations whose probe said the action took effect, or could not tell: they run without asking again. */
    private final Set<Integer> probedBeforeCompensation = new HashSet<>(2);

    SagaRun(RunHost host, RegisteredSaga<D> saga, SagaInstance instance, D data) {
        this.host = host;
        this.saga = saga;
        this.definition = saga.definition();
        this.instance = instance;
        this.data = data;
        this.timers = new Timers(host);
        this.writer = new RunWriter<>(this, host, definition);
        this.replies = new RunReplies<>(this, host, saga);
        this.verifiedEpoch = host.leaseEpoch();
    }

    String id() {
        return instance.id();
    }

    SagaDefinition<D> definition() {
        return definition;
    }

    CompletableFuture<SagaOutcome<D>> outcome() {
        return outcome;
    }

    synchronized SagaInstance instance() {
        return instance;
    }

    /** Whether an attempt runs, or a timed-out one has not returned yet: what {@code close()} waits for. */
    synchronized boolean hasRunningHandlers() {
        return !running.isEmpty() || timers.hasOvertaken();
    }

    // ---------------------------------------------------------------- driving

    /**
     * Acts on the durable state. {@code recovered}: the instance was taken over from a crashed or stopped node, so
     * an attempt found due may have taken effect: it is recorded as resumed (after its probe, if it has one) and
     * run again as a new attempt.
     */
    void resume(boolean recovered) {
        Runnable next;
        List<Integer> toProbe;
        synchronized (this) {
            if (done) {
                return;
            }
            toProbe = recovered ? dueWithProbes() : List.of();
            if (toProbe.isEmpty()) {
                next = recovered && instance.status().isLive() && hasDueAttempts() ? writer.apply(new Resumed()) : act();
            } else {
                next = null;
            }
        }
        if (!toProbe.isEmpty()) {
            next = resumeAfterProbes(toProbe);
        }
        run(next);
    }

    /** Asks the probes of the due steps whether their interrupted attempts took effect, then records the resume. */
    private Runnable resumeAfterProbes(List<Integer> indexes) {
        long version;
        D snapshot;
        synchronized (this) {
            version = instance.version();
            snapshot = data;
        }
        Map<Integer, ProbeOutcome> outcomes = new HashMap<>();
        for (int index : indexes) {
            AttemptContext context = contextFor(index, false, null);
            outcomes.put(index, AttemptInvoker.probe(saga.step(index).probe(), snapshot, context));
        }
        synchronized (this) {
            if (done || instance.version() != version) {
                return act();
            }
            return writer.apply(new Resumed(outcomes));
        }
    }

    private List<Integer> dueWithProbes() {
        List<Integer> due = new ArrayList<>();
        if (instance.status() != SagaStatus.RUNNING) {
            return due;
        }
        for (int index : Transitions.activeIndexes(instance)) {
            StepState step = instance.steps().get(index);
            if (step.status() == StepStatus.RUNNING && isDue(step) && saga.step(index).probe() != null
                    && !saga.step(index).isLocal()) {
                due.add(index);
            }
        }
        return due;
    }

    private boolean hasDueAttempts() {
        for (int index : Transitions.activeIndexes(instance)) {
            StepState step = instance.steps().get(index);
            if (step.status() != StepStatus.AWAITING_REPLY && isDue(step)) {
                return true;
            }
        }
        return false;
    }

    private boolean isDue(StepState step) {
        return step.wakeAt() == null || !step.wakeAt().isAfter(host.now());
    }

    /**
     * Acts on the durable state: finishes, or for every step the instance is at, starts its attempt if it is due
     * and none runs, schedules it if it is not due yet, or waits for its reply (looking for one another node
     * recorded, and arming its timeout). Returns what to run outside the lock: one attempt on this thread, or
     * several (a parallel group), each on the executor.
     */
    Runnable act() {
        if (done) {
            return null;
        }
        if (!instance.status().isLive()) {
            return finish();
        }
        armDeadline();
        List<Runnable> now = new ArrayList<>(1);
        Set<Integer> waiting = new HashSet<>();
        for (int index : Transitions.activeIndexes(instance)) {
            StepState step = instance.steps().get(index);
            if (step.status() == StepStatus.AWAITING_REPLY) {
                waiting.add(index);
                if (step.wakeAt() != null) {
                    Instant at = step.wakeAt();
                    timers.replyTimeout(index, at, () -> onReplyTimeout(index, at));
                }
                if (repliesChecked.add(index)) {
                    now.add(() -> checkRecordedReply(index, step.name()));
                }
            } else if (!running.containsKey(index)) {
                if (isDue(step)) {
                    now.add(() -> runAttempt(index));
                } else {
                    timers.wake(index, step.wakeAt(), () -> runAttempt(index));
                }
            }
        }
        repliesChecked.retainAll(waiting);
        if (now.isEmpty()) {
            return null;
        }
        if (now.size() == 1) {
            return now.get(0);
        }
        return () -> now.forEach(host::execute);
    }

    private void runAttempt(int index) {
        Attempt<D> attempt;
        boolean needLease;
        synchronized (this) {
            attempt = prepareAttempt(index);
            needLease = attempt == null && awaitingLease;
        }
        if (attempt != null) {
            AttemptInvoker.invoke(this, attempt);
        } else if (needLease) {
            host.awaitLease(this);
        }
    }

    private Attempt<D> prepareAttempt(int index) {
        if (done || host.isClosed() || pending != null || running.containsKey(index) || !instance.status().isLive()) {
            return null;
        }
        boolean compensating = instance.status() == SagaStatus.COMPENSATING;
        StepState step = instance.steps().get(index);
        if (step.status() != (compensating ? StepStatus.COMPENSATING : StepStatus.RUNNING) || !isDue(step)) {
            return null;
        }
        Instant now = host.now();
        Instant graceEnd = timers.graceEnd(index, now);
        if (graceEnd != null) {
            // A timed-out attempt of this step still runs: let it return (or its grace run out) first.
            timers.wakeAfter(index, Duration.between(now, graceEnd), () -> runAttempt(index));
            return null;
        }
        if (!host.leaseHeld() || host.leaseEpoch() != verifiedEpoch) {
            // Paused past the lease (or renewals failing): confirm the instance is still ours before acting.
            awaitingLease = true;
            return null;
        }
        awaitingLease = false;
        timers.cancelWake(index);
        StepDefinition<D> stepDefinition = saga.step(index);
        ProbeCause probe = compensating && stepDefinition.probe() != null && step.compensationAttempts() == 1
                && step.mayHaveTakenEffect() && step.error() != null && !probedBeforeCompensation.contains(index)
                ? ProbeCause.COMPENSATING : null;
        Instant timeoutAt = probe == null ? stepDefinition.timeout().map(now::plus).orElse(null) : null;
        AttemptContext context = contextFor(index, compensating, timeoutAt);
        Attempt<D> attempt = new Attempt<>(0, index, compensating, context, data, instance.version(), timeoutAt,
                saga.handler(index, compensating), stepDefinition.isLocal() && probe == null,
                probe == null ? stepDefinition.command(compensating) : null, probe, null);
        running.put(index, attempt);
        if (timeoutAt != null) {
            timers.attemptTimeout(index, Duration.between(now, timeoutAt), () -> onTimeout(attempt));
        }
        return attempt;
    }

    private AttemptContext contextFor(int index, boolean compensating, Instant timeoutAt) {
        StepState step = instance.steps().get(index);
        Instant deadline = timeoutAt;
        if (!compensating && instance.deadline() != null && !Transitions.pivotSucceeded(definition, instance)
                && (deadline == null || instance.deadline().isBefore(deadline))) {
            deadline = instance.deadline();
        }
        int number = compensating ? step.compensationAttempts() : step.attempts();
        return new AttemptContext(instance.id(), definition.name(), step.name(), number, compensating, deadline, null,
                instance.metadata(), Map.of());
    }

    /** Called once the lease is renewed and the instance re-read: act again if it is still ours. */
    void leaseConfirmed(SagaInstance stored, long epoch) {
        Runnable next;
        synchronized (this) {
            if (done) {
                return;
            }
            awaitingLease = false;
            verifiedEpoch = epoch;
            if (stored == null || !RunWriter.sameState(stored, instance) || !host.nodeId().equals(stored.owner())) {
                lost();
                return;
            }
            instance = stored;
            next = act();
        }
        run(next);
    }

    // ---------------------------------------------------------------- attempt results

    /** A command step's attempt built its command: record the step as sent, with the message in the same write. */
    void onCommand(Attempt<D> attempt, OutboxMessage message) {
        Runnable next = null;
        synchronized (this) {
            if (isCurrent(attempt)) {
                endAttempt(attempt);
                next = writer.apply(new Succeeded(attempt.index(), attempt.compensation(), null, attempt.timeoutAt(),
                        List.of(message)));
            }
        }
        run(next);
    }

    /** An attempt returned (or failed); {@code error} already unwrapped. */
    void onResult(Attempt<D> attempt, D result, Throwable error) {
        Runnable next;
        synchronized (this) {
            if (!isCurrent(attempt)) {
                log.debug("ignoring the late result of attempt {} of step '{}' of saga {}",
                        attempt.context().attempt(), attempt.context().stepName(), instance.id());
                // A later attempt at this step may have waited for this one to return.
                next = timers.overtakenReturned(attempt) ? act() : null;
            } else {
                endAttempt(attempt);
                Throwable failure = error;
                if (failure == null && result == null) {
                    failure = new NullHandlerResult((attempt.compensation() ? "compensation" : "action")
                            + " returned null data");
                }
                Incoming parked = attempt.compensation() ? null : replies.takeParked(attempt.index());
                if (parked != null) {
                    // The command went out, so the reply decides the step whatever the action's own outcome.
                    data = failure == null ? mergedOrKept(attempt.index(), result) : restoreData();
                    next = replies.apply(attempt.index(), parked);
                } else if (failure == null) {
                    next = succeeded(attempt, result);
                } else {
                    next = writer.apply(failed(attempt.index(), attempt.compensation(), failure, false));
                }
            }
        }
        run(next);
    }

    /** The event of a successful attempt: its result, merged into the data if the step is a parallel branch. */
    private Runnable succeeded(Attempt<D> attempt, D result) {
        D value = result;
        if (!attempt.compensation() && definition.groupOf(attempt.index()).isPresent()) {
            try {
                value = merged(attempt.index(), result);
            } catch (RuntimeException e) {
                return writer.apply(new Failed(attempt.index(), false, e, "its result could not be merged: "
                        + host.errors().describe(e), true, false));
            }
        }
        return writer.apply(new Succeeded(attempt.index(), attempt.compensation(), value, attempt.timeoutAt()));
    }

    /** A parallel branch's result merged into the current data with the group's merger; other results as they are. */
    private D merged(int index, D result) {
        SagaDefinition.ParallelGroup<D> group = definition.groupOf(index).orElse(null);
        if (group == null) {
            return result;
        }
        BranchMerger<D> merger = group.merger();
        try {
            D value = merger.merge(data, saga.step(index).name(), result);
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
            log.warn("saga {}: the result of step '{}' could not be merged; its reply decides: {}", instance.id(),
                    saga.step(index).name(), e.toString());
            return restoreData();
        }
    }

    /** A probe answered (an exception counts as UNKNOWN). */
    void onProbe(Attempt<D> attempt, ProbeOutcome answer) {
        Runnable next = null;
        synchronized (this) {
            if (isCurrent(attempt)) {
                endAttempt(attempt);
                if (attempt.probe() == ProbeCause.COMPENSATING && answer != ProbeOutcome.NOT_APPLIED) {
                    // The compensation runs as it would have; the answer changes nothing worth a write.
                    probedBeforeCompensation.add(attempt.index());
                    log.debug("saga {}: the probe of step '{}' answered {}; compensating it", instance.id(),
                            attempt.context().stepName(), answer);
                    next = act();
                } else {
                    next = writer.apply(new Probed(attempt.index(), attempt.probe(), answer, attempt.cause()));
                }
            }
        }
        run(next);
    }

    private boolean isCurrent(Attempt<D> attempt) {
        return !done && running.get(attempt.index()) == attempt;
    }

    /** An attempt ended: it no longer runs, and its timeout is moot. */
    private void endAttempt(Attempt<D> attempt) {
        running.remove(attempt.index());
        timers.cancelTimeout(attempt.index());
        host.attemptFinished();
    }

    private Failed failed(int index, boolean compensation, Throwable error, boolean possiblyDone) {
        boolean retryable = !(error instanceof NullHandlerResult) && !(error instanceof UnstorableResult)
                && !saga.step(index).isRejection(error);
        return new Failed(index, compensation, error, host.errors().describe(error), possiblyDone, retryable);
    }

    private void onTimeout(Attempt<D> attempt) {
        Runnable next;
        synchronized (this) {
            if (!isCurrent(attempt)) {
                return;
            }
            if (pending != null) {
                // Decide the timeout once the pending write has landed.
                timers.attemptTimeout(attempt.index(), host.storeBackoff().initialDelay(), () -> onTimeout(attempt));
                return;
            }
            running.remove(attempt.index());
            host.attemptFinished();
            timers.overtake(attempt, host.now().plus(host.timeoutGrace()));
            next = timedOut(attempt.index(), attempt.compensation());
        }
        run(next);
    }

    private void onReplyTimeout(int index, Instant armedFor) {
        Runnable next;
        synchronized (this) {
            StepState step = instance.steps().get(index);
            if (done || step.status() != StepStatus.AWAITING_REPLY || !armedFor.equals(step.wakeAt())) {
                return;
            }
            if (pending != null) {
                timers.attemptTimeout(index, host.storeBackoff().initialDelay(), () -> onReplyTimeout(index, armedFor));
                return;
            }
            timers.cancelTimeout(index);
            RecordedReply recorded = replies.recordedQuietly(instance.id(), step.name());
            // A reply recorded before the timeout fired wins over it.
            next = recorded != null ? replies.apply(index, new Incoming(recorded, null)) : timedOut(index, false);
        }
        run(next);
    }

    /** Step {@code index}'s attempt (or wait for a reply) timed out: ask its probe, or decide at once. */
    private Runnable timedOut(int index, boolean compensating) {
        StepState step = instance.steps().get(index);
        if (!compensating && Transitions.deadlinePassed(definition, instance, host.now())) {
            // The saga's own deadline came with the step's: it decides (SAGA_ABORTED), not the step's timeout.
            return abortNow("saga deadline " + instance.deadline() + " exceeded");
        }
        String message = (compensating ? "compensation" : "action") + " timed out (attempt "
                + (compensating ? step.compensationAttempts() : step.attempts()) + ")";
        StepTimeoutException timeout = new StepTimeoutException(message, definition.name(), instance.id(), step.name());
        if (!compensating && saga.step(index).probe() != null) {
            Attempt<D> probe = new Attempt<>(0, index, false, contextFor(index, false, null), data, instance.version(),
                    null, null, false, null, ProbeCause.TIMED_OUT, timeout);
            running.put(index, probe);
            return () -> AttemptInvoker.invoke(this, probe);
        }
        return writer.apply(failed(index, compensating, timeout, true));
    }

    // ---------------------------------------------------------------- local steps

    /** Decides, inside a local attempt's transaction, the write that records its success; null if stale. */
    synchronized InstanceWrite decideLocalSuccess(Attempt<D> attempt, D result) {
        if (!isCurrent(attempt) || pending != null) {
            return null;
        }
        D value = merged(attempt.index(), result);
        Transition transition = Transitions.decide(definition, instance,
                new Succeeded(attempt.index(), attempt.compensation(), value, null), env());
        String problem = writer.checkData(transition);
        if (problem != null) {
            // The work rolls back with the transaction, so the step did not take effect.
            throw new UnstorableResult("its result could not be stored: " + problem);
        }
        attempt.decided(transition);
        return writer.toWrite(transition);
    }

    /** A local attempt's transaction committed with the write it decided. */
    void localCommitted(Attempt<D> attempt) {
        Runnable next = null;
        synchronized (this) {
            if (isCurrent(attempt)) {
                endAttempt(attempt);
                next = applied(attempt.decided());
            }
        }
        run(next);
    }

    /**
     * A local attempt did not commit: its work rolled back. {@code conflict}: the version check failed (the
     * instance moved); otherwise the store failed ({@code error}) and the attempt runs again later.
     */
    void localRolledBack(Attempt<D> attempt, boolean conflict, RuntimeException error) {
        Runnable next = null;
        synchronized (this) {
            if (!isCurrent(attempt)) {
                return;
            }
            endAttempt(attempt);
            if (conflict) {
                next = writer.resolveConflict(null, null, 0, null);
            } else if (RunWriter.isPermanent(error)) {
                next = writer.apply(failed(attempt.index(), attempt.compensation(),
                        new UnstorableResult("the store refused it for good: " + host.errors().describe(error)), false));
            } else {
                Duration delay = host.storeBackoff().initialDelay();
                log.warn("saga {} ({}): the store failed during local step '{}', which was rolled back; running it"
                        + " again in {} ms: {}", instance.id(), definition.name(), attempt.context().stepName(),
                        delay.toMillis(), error.toString());
                int index = attempt.index();
                timers.wakeAfter(index, delay, () -> runAttempt(index));
            }
        }
        run(next);
    }

    /** Whether the store holds what {@code transition} writes; for a local attempt whose commit answer was lost. */
    boolean landed(Transition transition) {
        return writer.landed(transition);
    }

    // ---------------------------------------------------------------- writes (with RunWriter)

    RunWriter<D> writer() {
        return writer;
    }

    synchronized D data() {
        return data;
    }

    /** The inputs of a decision now, with the steps whose attempts run here. Under the lock. */
    Transitions.Env env() {
        return host.env().running(running.keySet());
    }

    PendingWrite pending() {
        return pending;
    }

    void pending(PendingWrite write) {
        pending = write;
    }

    /** This node's own claim moved the instance to {@code stored}, with the same saga state. */
    void rebase(SagaInstance stored) {
        instance = stored;
    }

    /** Acts on the durable state again after {@code delay} (the store could not be read). */
    Runnable soon(Duration delay) {
        host.later(delay, () -> {
            Runnable next;
            synchronized (this) {
                next = act();
            }
            run(next);
        });
        return null;
    }

    void retryPending() {
        Runnable next;
        synchronized (this) {
            PendingWrite write = pending;
            if (write == null || done) {
                return;
            }
            if (host.isHalted()) {
                abandon("the orchestrator was halted");
                return;
            }
            pending = null;
            next = writer.retry(write);
        }
        run(next);
    }

    /** After a write: the instance, the live data, the events, and what to do next. */
    Runnable applied(Transition transition) {
        SagaInstance before = instance;
        instance = transition.next();
        if (transition.data() != null) {
            data = castData(transition.data());
        } else if (instance.status().isLive()) {
            data = restoreData();
        }
        if (!saga.immutableData()) {
            // Keep the text of what was written: a later failed attempt may change the live object in place.
            instance.data().json();
        }
        overtakeGivenUp(before);
        for (HistoryEntry entry : transition.history()) {
            host.emit(entry, definition.name());
        }
        if (transition.then() == Transitions.Then.RESUME) {
            return () -> resume(true);
        }
        return act();
    }

    /** Attempts still running for steps the transition gave up (an abort, a failed sibling branch) are overtaken. */
    private void overtakeGivenUp(SagaInstance before) {
        if (running.isEmpty()) {
            return;
        }
        for (Attempt<D> attempt : List.copyOf(running.values())) {
            StepState now = instance.steps().get(attempt.index());
            StepState then = before.steps().get(attempt.index());
            boolean stillItsTurn = now.status() == then.status() && now.attempts() == then.attempts()
                    && now.compensationAttempts() == then.compensationAttempts();
            if (!stillItsTurn || !instance.status().isLive()) {
                running.remove(attempt.index());
                timers.cancelTimeout(attempt.index());
                host.attemptFinished();
                timers.overtake(attempt, host.now().plus(host.timeoutGrace()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private D castData(Object value) {
        return (D) value;
    }

    /** The last durable data as a live object of its own, undoing what a failed attempt changed in place. */
    private D restoreData() {
        if (saga.immutableData() && data != null) {
            return data;
        }
        try {
            return host.codec().decode(instance.data().json(), definition.dataType());
        } catch (Exception e) {
            throw new SagaDataException("the last durable data cannot be read back: " + e.getMessage(),
                    definition.name(), instance.id(), e);
        }
    }

    // ---------------------------------------------------------------- replies (with RunReplies)

    /**
     * Delivers a reply to this run (this node drives the instance). Returns once the reply is durable: applied, or
     * recorded for the action still running.
     */
    void deliver(Incoming reply) {
        Runnable next;
        synchronized (this) {
            next = replies.deliver(reply, done, pending != null);
            if (next == null) {
                return;
            }
            if (pending != null) {
                throw new SagaStoreException("the store is unavailable; the reply for step '" + reply.step()
                        + "' will be recorded when it is back, if this node lives; delivering it again is safe",
                        instance.id(), null, SagaStoreException.Failure.OUTCOME_UNKNOWN);
            }
            if (lostToOther) {
                throw replies.rejected(reply.step(), "the saga was changed by another node");
            }
        }
        // The host's thread only records the reply; the saga goes on on the executor.
        host.execute(next);
    }

    /** Whether an attempt runs for step {@code index} on this node. */
    boolean isRunning(int index) {
        return running.containsKey(index);
    }

    /** Step {@code index} no longer waits: its reply came. */
    void stopWaiting(int index) {
        timers.cancelTimeout(index);
        timers.cancelWake(index);
    }

    /** Applies a reply that another node (or an earlier process) recorded for a step that now waits. */
    private void checkRecordedReply(int index, String step) {
        RecordedReply recorded;
        try {
            recorded = replies.recorded(instance().id(), step);
        } catch (RuntimeException e) {
            log.debug("saga {}: reading its recorded replies failed; its timeout or the next delivery decides: {}",
                    id(), e.toString());
            return;
        }
        if (recorded == null) {
            return;
        }
        Runnable next = null;
        synchronized (this) {
            if (!done && pending == null && instance.steps().get(index).status() == StepStatus.AWAITING_REPLY) {
                stopWaiting(index);
                next = replies.apply(index, new Incoming(recorded, null));
            }
        }
        run(next);
    }

    // ---------------------------------------------------------------- operators and the deadline

    /**
     * An operator retries this FAILED instance: its stuck compensation or step runs again with a fresh budget.
     * Returns what to run next.
     *
     * @throws IllegalTransitionException if it is not FAILED, has no stuck step, or changed meanwhile
     */
    synchronized Runnable operatorRetried() {
        Runnable next = writer.apply(new Transitions.OperatorRetried());
        if (lostToOther) {
            throw new IllegalTransitionException("cannot retry: the saga was changed concurrently; look again",
                    definition.name(), instance.id(), null);
        }
        if (pending != null) {
            throw new SagaStoreException("the store is unavailable; the retry is written when it is back, if this"
                    + " node lives", instance.id(), null, SagaStoreException.Failure.OUTCOME_UNKNOWN);
        }
        return next;
    }

    /** Marks this instance FAILED for an operator (it cannot be resumed as it is stored). */
    synchronized void markFailed(String reason) {
        run(writer.apply(new Transitions.MarkedFailed(reason)));
    }

    /**
     * Aborts the saga (an operator, or its deadline): the steps it is at give up and the saga compensates.
     *
     * @throws IllegalTransitionException if the saga cannot be aborted
     * @throws SagaStoreException if the store is unavailable
     */
    void abort(String reason) {
        Runnable next;
        synchronized (this) {
            if (done) {
                throw new IllegalTransitionException("cannot abort: the saga is no longer driven by this node",
                        definition.name(), instance.id(), null);
            }
            String problem = Transitions.abortProblem(definition, instance);
            if (problem != null) {
                throw new IllegalTransitionException("cannot abort: " + problem, definition.name(), instance.id(),
                        null);
            }
            if (pending != null) {
                throw new SagaStoreException("the store is unavailable; cannot abort now", instance.id(), null,
                        SagaStoreException.Failure.TRANSIENT);
            }
            next = abortNow(reason);
            if (lostToOther) {
                throw new IllegalTransitionException("cannot abort: the saga was changed by another node",
                        definition.name(), instance.id(), null);
            }
        }
        if (next != null) {
            host.execute(next);
        }
    }

    /** Gives up every step the saga is at (overtaking their attempts) and compensates. Under the lock. */
    private Runnable abortNow(String reason) {
        for (int index : Transitions.activeIndexes(instance)) {
            timers.cancelTimeout(index);
            timers.cancelWake(index);
        }
        Event event = new Aborted(host.errors().clean(reason));
        Transition transition = Transitions.decide(definition, instance, event, env())
                .consuming(replies.dropParked());
        return writer.write(transition, event, 0, null);
    }

    private void armDeadline() {
        Instant deadline = instance.deadline();
        if (deadline == null || timers.hasDeadline() || instance.status() != SagaStatus.RUNNING
                || Transitions.pivotSucceeded(definition, instance)) {
            return;
        }
        timers.deadline(Duration.between(host.now(), deadline), this::deadlineReached);
    }

    private void deadlineReached() {
        try {
            abort("saga deadline " + instance().deadline() + " exceeded");
        } catch (SagaStoreException e) {
            synchronized (this) {
                if (!done) {
                    timers.deadline(host.storeBackoff().initialDelay(), this::deadlineReached);
                }
            }
        } catch (RuntimeException e) {
            log.debug("saga {} reached its deadline but was not aborted: {}", id(), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- ownership

    /**
     * Called by recovery with the stored instance when it looks moved under this run: a run that another node or
     * an operator overtook stops and watches for the outcome; one that only this node's own claim bumped goes on.
     */
    synchronized void checkStored(SagaInstance stored) {
        if (done || pending != null || !running.isEmpty()) {
            return;
        }
        if (stored != null && stored.version() == instance.version()) {
            return;
        }
        if (stored != null && host.nodeId().equals(stored.owner()) && RunWriter.sameState(stored, instance)) {
            instance = stored;
            return;
        }
        lost();
    }

    void lost() {
        lostToOther = true;
        log.info("saga {} ({}) was changed by another node (its lease was taken over or an operator acted); "
                + "this node stops driving it", instance.id(), definition.name());
        abandon(null);
        host.watch(instance.id(), definition, outcome);
    }

    void abandon(String reason) {
        done = true;
        timers.cancelAll();
        host.forget(this);
        replies.dropParked();
        if (reason != null && !outcome.isDone()) {
            outcome.completeExceptionally(host.closedException(definition.name(), instance.id()));
        }
    }

    private Runnable finish() {
        done = true;
        timers.cancelAll();
        host.forget(this);
        outcome.complete(new SagaOutcome<>(instance.id(), definition.name(), instance.status(), data, instance.error()));
        return null;
    }

    /** Called by the orchestrator when it closes or halts: no more attempts start; nothing is written. */
    synchronized void stop(RuntimeException reason) {
        done = true;
        timers.cancelAll();
        replies.dropParked();
        outcome.completeExceptionally(reason);
    }

    // ---------------------------------------------------------------- helpers

    static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static void run(Runnable next) {
        if (next != null) {
            next.run();
        }
    }

    RunHost host() {
        return host;
    }

    /** A handler broke its contract (returned null); never retried. */
    static final class NullHandlerResult extends RuntimeException {
        NullHandlerResult(String message) {
            super(message, null, false, false);
        }
    }

    /** A step's result that the store cannot take (too long, unreadable); never retried. */
    static final class UnstorableResult extends RuntimeException {
        UnstorableResult(String message) {
            super(message, null, false, false);
        }
    }
}
