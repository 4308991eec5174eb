package dev.sagaflow.internal;

import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.ProbeOutcome;
import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepStatus;
import dev.sagaflow.internal.RunReplies.Incoming;
import dev.sagaflow.internal.Transitions.Aborted;
import dev.sagaflow.internal.Transitions.Event;
import dev.sagaflow.internal.Transitions.ProbeCause;
import dev.sagaflow.internal.Transitions.Resumed;
import dev.sagaflow.internal.Transitions.Succeeded;
import dev.sagaflow.internal.Transitions.Transition;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
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
    private final RunOutcomes<D> outcomes;
    private final RunTimeouts<D> timeouts;
    private final RunAttempts<D> attempts;

    // Guarded by this.
    private SagaInstance instance;
    private D data;
    private PendingWrite pending;
    /** Volatile: {@link #stop} sets it without the lock. */
    private volatile boolean done;
    /** Attempts whose outcome is being recorded now (their write under way): close() waits for them too. */
    private final AtomicInteger recording = new AtomicInteger();
    private boolean lostToOther;
    private boolean awaitingLease;
    /** The lease epoch at which this run last knew its instance to be its own. */
    private long verifiedEpoch;
    /** Steps waiting for a reply whose recorded replies were looked for since they began to wait. */
    private final Set<Integer> repliesChecked = new HashSet<>(2);

    SagaRun(RunHost host, RegisteredSaga<D> saga, SagaInstance instance, D data) {
        this.host = host;
        this.saga = saga;
        this.definition = saga.definition();
        this.instance = instance;
        this.data = data;
        this.timers = new Timers(host);
        this.writer = new RunWriter<>(this, host, definition);
        this.replies = new RunReplies<>(this, host, saga);
        this.outcomes = new RunOutcomes<>(this, host, saga);
        this.timeouts = new RunTimeouts<>(this, host, timers);
        this.attempts = new RunAttempts<>(this, host, saga, timers);
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
    boolean hasRunningHandlers() {
        // A compensation that waits for a child saga to be undone runs no handler: closing need not wait for it.
        return recording.get() > 0 || attempts.busy();
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
            toProbe = recovered ? outcomes.dueWithProbes() : List.of();
            if (toProbe.isEmpty()) {
                next = recovered && instance.status().isLive() && hasDueAttempts() ? writer.apply(new Resumed()) : act();
            } else {
                next = null;
            }
        }
        if (!toProbe.isEmpty()) {
            next = outcomes.resumeAfterProbes(toProbe);
        }
        run(next);
    }

    private boolean hasDueAttempts() {
        for (int index : InstanceStates.activeIndexes(instance)) {
            StepState step = instance.steps().get(index);
            if (step.status() != StepStatus.AWAITING_REPLY && isDue(step)) {
                return true;
            }
        }
        return false;
    }

    boolean isDue(StepState step) {
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
        timeouts.armDeadline();
        List<Runnable> now = new ArrayList<>(1);
        Set<Integer> waiting = new HashSet<>();
        for (int index : InstanceStates.activeIndexes(instance)) {
            StepState step = instance.steps().get(index);
            if (step.status() == StepStatus.AWAITING_REPLY) {
                waiting.add(index);
                if (step.wakeAt() != null) {
                    timeouts.armReply(index, step.wakeAt());
                }
                if (repliesChecked.add(index)) {
                    now.add(() -> replies.checkRecorded(index, step.name()));
                }
            } else if (!attempts.isRunning(index)) {
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
        if (done || host.isClosed() || pending != null || attempts.isRunning(index) || !instance.status().isLive()) {
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
        ProbeCause probe = compensating && outcomes.probesBeforeCompensating(index, step) ? ProbeCause.COMPENSATING
                : null;
        return attempts.start(index, compensating, probe, now, timeouts);
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

    /**
     * A command step's attempt built its command, or a child step's started its child: record the step as sent,
     * with the messages in the same write.
     */
    void onSent(Attempt<D> attempt, List<OutboxMessage> messages) {
        run(recordingOutcome(() -> {
            if (!isCurrent(attempt)) {
                return null;
            }
            endAttempt(attempt);
            return writer.apply(new Succeeded(attempt.index(), attempt.compensation(), null, attempt.timeoutAt(),
                    messages));
        }));
    }

    /** An attempt returned (or failed); {@code error} already unwrapped. */
    void onResult(Attempt<D> attempt, D result, Throwable error) {
        run(recordingOutcome(() -> {
            if (!isCurrent(attempt)) {
                log.debug("ignoring the late result of attempt {} of step '{}' of saga {}",
                        attempt.context().attempt(), attempt.context().stepName(), instance.id());
                // A later attempt at this step may have waited for this one to return.
                return timers.overtakenReturned(attempt) ? act() : null;
            }
            endAttempt(attempt);
            return outcomes.returned(attempt, result, error);
        }));
    }

    /** A probe answered (an exception counts as UNKNOWN). */
    void onProbe(Attempt<D> attempt, ProbeOutcome answer) {
        run(recordingOutcome(() -> {
            if (!isCurrent(attempt)) {
                return null;
            }
            endAttempt(attempt);
            return outcomes.probed(attempt, answer);
        }));
    }

    boolean isCurrent(Attempt<D> attempt) {
        return !done && attempts.isCurrent(attempt);
    }

    /** Asks step {@code index}'s probe, as an attempt of its own, whether the action took effect. */
    Runnable ask(int index, ProbeCause cause, Throwable timeout) {
        Attempt<D> probe = attempts.probe(index, cause, timeout);
        return () -> AttemptInvoker.invoke(this, probe);
    }

    /** Runs step {@code index}'s attempt again after {@code delay}. */
    void runAgainAfter(int index, Duration delay) {
        timers.wakeAfter(index, delay, () -> runAttempt(index));
    }

    /** An attempt ended: it no longer runs, and its timeout is moot. */
    private void endAttempt(Attempt<D> attempt) {
        attempts.end(attempt);
    }

    // ---------------------------------------------------------------- local steps

    /** Decides, inside a local attempt's transaction, the write that records its success; null if stale. */
    synchronized InstanceWrite decideLocalSuccess(Attempt<D> attempt, D result) {
        if (!isCurrent(attempt) || pending != null) {
            return null;
        }
        return outcomes.localSuccess(attempt, result);
    }

    /** A local attempt's transaction committed with the write it decided. */
    void localCommitted(Attempt<D> attempt) {
        run(recordingOutcome(() -> {
            if (!isCurrent(attempt)) {
                return null;
            }
            endAttempt(attempt);
            return applied(attempt.decided());
        }));
    }

    /** A local attempt did not commit: its work rolled back (see {@link RunOutcomes#localRolledBack}). */
    void localRolledBack(Attempt<D> attempt, boolean conflict, RuntimeException error) {
        run(recordingOutcome(() -> {
            if (!isCurrent(attempt)) {
                return null;
            }
            endAttempt(attempt);
            return outcomes.localRolledBack(attempt, conflict, error);
        }));
    }

    /**
     * Records an attempt's outcome under the lock: {@code decision} ends the attempt and writes what it decided,
     * returning what to run next. Counted while under way, so that close() waits for the write, not only for the
     * handler, without taking the lock.
     */
    private Runnable recordingOutcome(Supplier<Runnable> decision) {
        recording.incrementAndGet();
        try {
            synchronized (this) {
                return decision.get();
            }
        } finally {
            recording.decrementAndGet();
        }
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

    /** Replaces the live data. Under the lock. */
    void data(D value) {
        data = value;
    }

    RunReplies<D> replies() {
        return replies;
    }

    RunOutcomes<D> outcomes() {
        return outcomes;
    }

    RunAttempts<D> attempts() {
        return attempts;
    }

    boolean isDone() {
        return done;
    }

    /** The inputs of a decision now, with the steps whose attempts run here. Under the lock. */
    Transitions.Env env() {
        return host.env().running(attempts.indexes());
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
        attempts.overtakeGivenUp(before, instance);
        for (HistoryEntry entry : transition.history()) {
            host.emit(entry, definition.name());
        }
        if (transition.then() == Transitions.Then.RESUME) {
            return () -> resume(true);
        }
        return act();
    }

    @SuppressWarnings("unchecked")
    private D castData(Object value) {
        return (D) value;
    }

    /** The last durable data as a live object of its own, undoing what a failed attempt changed in place. */
    D restoreData() {
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
     * Delivers a reply to this run (see {@link RunReplies#deliverHere}).
     *
     * @throws SagaStoreException if the reply's write did not land (it is not durable; deliver it again later)
     */
    boolean deliver(Incoming reply) {
        return replies.deliverHere(reply);
    }

    /** Whether a write of this run is pending (the store was away). Under the lock. */
    boolean hasPending() {
        return pending != null;
    }

    /** Whether this run lost its instance to another node. Under the lock. */
    boolean lostToOther() {
        return lostToOther;
    }

    /** Whether an attempt runs for step {@code index} on this node. */
    boolean isRunning(int index) {
        return attempts.isRunning(index);
    }

    /** Step {@code index} no longer waits: its reply came. */
    void stopWaiting(int index) {
        timers.cancelTimeout(index);
        timers.cancelWake(index);
    }

    // ---------------------------------------------------------------- operators and the deadline

    /**
     * Restarts this finished instance: an operator retries it (FAILED), or its parent reopens it to compensate it
     * (a COMPLETED child); {@code what} names that in messages. Returns what to run next.
     *
     * @throws IllegalTransitionException if the event is not allowed in its state, or it changed meanwhile
     * @throws SagaStoreException if the store is unavailable (the write is tried again while this node lives)
     */
    synchronized Runnable restart(Event event, String what) {
        Runnable next = writer.apply(event);
        if (lostToOther) {
            throw new IllegalTransitionException("cannot " + what + ": the saga was changed concurrently; look again",
                    definition.name(), instance.id(), null);
        }
        if (pending != null) {
            throw new SagaStoreException("the store is unavailable; the " + what + " is written when it is back, if"
                    + " this node lives", instance.id(), null, SagaStoreException.Failure.OUTCOME_UNKNOWN);
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
            String problem = InstanceStates.abortProblem(definition, instance);
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
    Runnable abortNow(String reason) {
        for (int index : InstanceStates.activeIndexes(instance)) {
            timers.cancelTimeout(index);
            timers.cancelWake(index);
        }
        Event event = new Aborted(host.errors().clean(reason));
        Transition transition = Transitions.decide(definition, instance, event, env())
                .consuming(replies.dropParked());
        return writer.write(transition, event, 0, null);
    }

    // ---------------------------------------------------------------- ownership

    /**
     * Called by recovery with the stored instance when it looks moved under this run: a run that another node or
     * an operator overtook stops and watches for the outcome; one that only this node's own claim bumped goes on.
     */
    synchronized void checkStored(SagaInstance stored) {
        if (done || pending != null || !attempts.isEmpty()) {
            return;
        }
        // Versions only grow, and another node's write can only follow this run's last one (or it would have
        // failed the compare-and-set): an older version is a read that this run's own writes overtook (recovery
        // reconciles on its own thread while the run goes on), not a sign that anyone else moved the instance.
        if (stored != null && stored.version() <= instance.version()) {
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
        host.children().ended(instance, data);
        outcome.complete(new SagaOutcome<>(instance.id(), definition.name(), instance.status(), data, instance.error()));
        return null;
    }

    /**
     * Called by the orchestrator when it closes or halts: no more attempts start; nothing is written. It does not
     * take the lock, which a write that hangs in the store may hold: whatever holds it sees {@code done} at its next
     * step, and the run's timers find it done when they fire.
     */
    void stop(RuntimeException reason) {
        done = true;
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

    static void run(Runnable next) {
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
