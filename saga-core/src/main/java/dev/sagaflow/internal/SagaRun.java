package dev.sagaflow.internal;

import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.StepStatus;
import dev.sagaflow.StepTimeoutException;
import dev.sagaflow.internal.Transitions.Aborted;
import dev.sagaflow.internal.Transitions.Event;
import dev.sagaflow.internal.Transitions.Failed;
import dev.sagaflow.internal.Transitions.ReplyApplied;
import dev.sagaflow.internal.Transitions.ReplyRefused;
import dev.sagaflow.internal.Transitions.Resumed;
import dev.sagaflow.internal.Transitions.Succeeded;
import dev.sagaflow.internal.Transitions.Transition;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one saga instance on this node. It keeps the instance's last durable state, the attempt token, the
 * attempts it runs and its timers. Every event (an attempt's result, a timer, a reply, an abort) is handled
 * under this object's lock in three moves: {@link Transitions#decide decide} the next state, write it with one
 * compare-and-set ({@link #write}), and only then act on it (start an attempt, arm a timer, finish). User code
 * runs outside the lock, except reply mergers.
 *
 * <p>The token tells the current attempt from a late one: starting an attempt, its result, its timeout, a reply
 * and an abort each advance it, and every scheduled callback carries the token it was scheduled under, so a
 * timeout queued behind a result, or a wake-up scheduled before a takeover, acts on nothing.
 */
final class SagaRun<D> {
    private static final Logger log = LoggerFactory.getLogger(SagaRun.class);

    private final RunHost host;
    private final RegisteredSaga<D> saga;
    private final SagaDefinition<D> definition;
    private final CompletableFuture<SagaOutcome<D>> outcome = new CompletableFuture<>();
    private final Timers timers;

    // Guarded by this.
    private SagaInstance instance;
    private D data;
    private long token;
    private Attempt<D> current;
    private PendingWrite pending;
    private Incoming parkedReply;
    private boolean done;
    private boolean lostToOther;
    private boolean awaitingLease;

    SagaRun(RunHost host, RegisteredSaga<D> saga, SagaInstance instance, D data) {
        this.host = host;
        this.saga = saga;
        this.definition = saga.definition();
        this.instance = instance;
        this.data = data;
        this.timers = new Timers(host);
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
        return current != null || timers.hasOvertaken();
    }

    // ---------------------------------------------------------------- driving

    /**
     * Acts on the durable state: runs or schedules the current attempt, waits for a reply, or finishes.
     * {@code recovered}: the instance was taken over from a crashed or stopped node, so a step found RUNNING
     * may have taken effect and is re-run as a new attempt.
     */
    void resume(boolean recovered) {
        Runnable next;
        synchronized (this) {
            next = planResume(recovered);
        }
        run(next);
    }

    private Runnable planResume(boolean recovered) {
        if (done) {
            return null;
        }
        if (!instance.status().isLive()) {
            return finish();
        }
        armDeadline();
        StepState step = instance.steps().get(Transitions.requireCurrent(definition, instance));
        if (step.status() == StepStatus.AWAITING_REPLY) {
            return awaitReply();
        }
        if (step.wakeAt() != null && step.wakeAt().isAfter(host.now())) {
            scheduleWake(step.wakeAt());
            return null;
        }
        return recovered ? apply(new Resumed()) : attemptRunner();
    }

    /** Runs the current attempt unless the run has moved on by the time it starts. */
    private Runnable attemptRunner() {
        long expected = token;
        return () -> runAttempt(expected);
    }

    private void runAttempt(long expectedToken) {
        Attempt<D> attempt;
        boolean needLease;
        synchronized (this) {
            attempt = expectedToken == token ? prepareAttempt() : null;
            needLease = attempt == null && awaitingLease;
        }
        if (attempt != null) {
            AttemptInvoker.invoke(this, attempt);
        } else if (needLease) {
            host.awaitLease(this);
        }
    }

    private Attempt<D> prepareAttempt() {
        if (done || host.isClosed() || pending != null || current != null || !instance.status().isLive()) {
            return null;
        }
        boolean compensating = instance.status() == SagaStatus.COMPENSATING;
        int index = Transitions.requireCurrent(definition, instance);
        StepState step = instance.steps().get(index);
        Instant now = host.now();
        if (step.status() != (compensating ? StepStatus.COMPENSATING : StepStatus.RUNNING)
                || (step.wakeAt() != null && step.wakeAt().isAfter(now))) {
            return null;
        }
        Instant graceEnd = timers.graceEnd(index, now);
        if (graceEnd != null) {
            // A timed-out attempt of this step still runs: let it return (or its grace run out) first.
            long expected = token;
            timers.wake(Duration.between(now, graceEnd), () -> runAttempt(expected));
            return null;
        }
        if (!host.leaseHeld()) {
            // Paused past the lease (or renewals failing): confirm the instance is still ours before acting.
            awaitingLease = true;
            return null;
        }
        awaitingLease = false;
        StepDefinition<D> stepDefinition = saga.step(index);
        Instant timeoutAt = stepDefinition.timeout().map(now::plus).orElse(null);
        Instant contextDeadline = timeoutAt;
        if (!compensating && instance.deadline() != null && !Transitions.pivotSucceeded(definition, instance)
                && (contextDeadline == null || instance.deadline().isBefore(contextDeadline))) {
            contextDeadline = instance.deadline();
        }
        long attemptToken = ++token;
        int number = compensating ? step.compensationAttempts() : step.attempts();
        AttemptContext context = new AttemptContext(instance.id(), definition.name(), step.name(), number,
                compensating, contextDeadline, null, instance.metadata(), Map.of());
        Attempt<D> attempt = new Attempt<>(attemptToken, index, compensating, context, data, instance.version(),
                timeoutAt, saga.handler(index, compensating), stepDefinition.isLocal());
        current = attempt;
        if (timeoutAt != null) {
            timers.attemptTimeout(Duration.between(now, timeoutAt), () -> onTimeout(attemptToken));
        }
        return attempt;
    }

    /** Called once the lease is renewed and the instance re-read: act again if it is still ours. */
    void leaseConfirmed(SagaInstance stored) {
        Runnable next = null;
        synchronized (this) {
            if (done) {
                return;
            }
            awaitingLease = false;
            if (stored == null || !sameState(stored, instance) || !host.nodeId().equals(stored.owner())) {
                lost();
                return;
            }
            instance = stored;
            next = attemptRunner();
        }
        run(next);
    }

    // ---------------------------------------------------------------- attempt results

    /** An attempt returned (or failed); {@code error} already unwrapped. */
    void onResult(Attempt<D> attempt, D result, Throwable error) {
        Runnable next;
        synchronized (this) {
            if (attempt != current || done) {
                log.debug("ignoring the late result of attempt {} of step '{}' of saga {}",
                        attempt.context().attempt(), attempt.context().stepName(), instance.id());
                if (timers.overtakenReturned(attempt)) {
                    // A later attempt at this step waited for this one to return.
                    next = current == null ? attemptRunner() : null;
                } else {
                    next = null;
                }
            } else {
                endAttempt();
                Throwable failure = error;
                if (failure == null && result == null) {
                    failure = new NullHandlerResult((attempt.compensation() ? "compensation" : "action")
                            + " returned null data");
                }
                if (parkedReply != null && !attempt.compensation()) {
                    next = applyParkedReply(attempt.index(), failure == null ? result : null);
                } else if (failure == null) {
                    next = apply(new Succeeded(attempt.index(), attempt.compensation(), result, attempt.timeoutAt()));
                } else {
                    next = apply(failed(attempt.index(), attempt.compensation(), failure, false));
                }
            }
        }
        run(next);
    }

    /** The current attempt ended; its token is spent and its timeout moot. */
    private void endAttempt() {
        token++;
        current = null;
        timers.cancelAttemptTimeout();
        host.attemptFinished();
    }

    private Failed failed(int index, boolean compensation, Throwable error, boolean possiblyDone) {
        boolean retryable = !(error instanceof NullHandlerResult) && !(error instanceof UnstorableResult)
                && !saga.step(index).isRejection(error);
        return new Failed(index, compensation, error, host.errors().describe(error), possiblyDone, retryable);
    }

    private void onTimeout(long attemptToken) {
        Runnable next;
        synchronized (this) {
            if (attemptToken != token || done) {
                return;
            }
            if (pending != null) {
                // Decide the timeout once the pending write has landed.
                timers.attemptTimeout(host.storeBackoff().initialDelay(), () -> onTimeout(attemptToken));
                return;
            }
            next = timedOut();
        }
        run(next);
    }

    private Runnable timedOut() {
        int index = Transitions.requireCurrent(definition, instance);
        StepState step = instance.steps().get(index);
        boolean compensating = instance.status() == SagaStatus.COMPENSATING;
        token++;
        if (step.status() == StepStatus.AWAITING_REPLY) {
            RecordedReply recorded = recordedReplyQuietly(step.name());
            if (recorded != null) {
                // A reply recorded before the timeout fired wins over it.
                return applyReply(index, new Incoming(recorded, null));
            }
        }
        Attempt<D> attempt = current;
        if (attempt != null) {
            current = null;
            host.attemptFinished();
            timers.overtake(attempt, host.now().plus(host.timeoutGrace()));
        }
        if (!compensating && Transitions.deadlinePassed(definition, instance, host.now())) {
            // The saga's own deadline came with the step's: it decides (SAGA_ABORTED), not the step's timeout.
            return apply(new Aborted("saga deadline " + instance.deadline() + " exceeded"));
        }
        String message = (compensating ? "compensation" : "action") + " timed out (attempt "
                + (compensating ? step.compensationAttempts() : step.attempts()) + ")";
        StepTimeoutException timeout = new StepTimeoutException(message, definition.name(), instance.id(),
                step.name());
        return apply(failed(index, compensating, timeout, true));
    }

    // ---------------------------------------------------------------- local steps

    /** Decides, inside a local attempt's transaction, the write that records its success; null if stale. */
    synchronized InstanceWrite decideLocalSuccess(Attempt<D> attempt, D result) {
        if (attempt != current || done || pending != null) {
            return null;
        }
        Transition transition = Transitions.decide(definition, instance,
                new Succeeded(attempt.index(), attempt.compensation(), result, null), host.env());
        String problem = checkData(transition);
        if (problem != null) {
            // The work rolls back with the transaction, so the step did not take effect.
            throw new UnstorableResult("its result could not be stored: " + problem);
        }
        attempt.decided(transition);
        return toWrite(transition);
    }

    /** A local attempt's transaction committed with the write it decided. */
    void localCommitted(Attempt<D> attempt) {
        Runnable next = null;
        synchronized (this) {
            if (attempt == current && !done) {
                endAttempt();
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
            if (attempt != current || done) {
                return;
            }
            endAttempt();
            if (conflict) {
                next = resolveConflict(null, null, 0, null);
            } else if (isPermanent(error)) {
                next = apply(failed(attempt.index(), attempt.compensation(),
                        new UnstorableResult("the store refused it for good: " + host.errors().describe(error)), false));
            } else {
                Duration delay = host.storeBackoff().initialDelay();
                log.warn("saga {} ({}): the store failed during local step '{}', which was rolled back; running it"
                        + " again in {} ms: {}", instance.id(), definition.name(), attempt.context().stepName(),
                        delay.toMillis(), error.toString());
                long expected = token;
                timers.wake(delay, () -> runAttempt(expected));
            }
        }
        run(next);
    }

    // ---------------------------------------------------------------- writes

    /** Decides the transition {@code event} makes and writes it. Under the lock. */
    private Runnable apply(Event event) {
        return write(Transitions.decide(definition, instance, event, host.env()), event, 0, null);
    }

    /**
     * Writes {@code transition} with one compare-and-set and returns what to do next. A store that refuses the
     * write for good gets a simpler one ({@link #refuse}); one that fails otherwise gets it again later
     * ({@link PendingWrite}), nothing forgotten meanwhile; a lost compare-and-set is resolved by reading back.
     */
    private Runnable write(Transition transition, Event cause, int fallbacks, PendingWrite previous) {
        if (host.isHalted()) {
            abandon("the orchestrator was halted");
            return null;
        }
        String dataProblem = checkData(transition);
        if (dataProblem != null) {
            return refuse(transition, cause, dataProblem, fallbacks);
        }
        try {
            if (host.store().update(instance.version(), toWrite(transition))) {
                return applied(transition);
            }
        } catch (RuntimeException e) {
            if (isPermanent(e)) {
                return refuse(transition, cause, host.errors().describe(e), fallbacks);
            }
            keepPending(previous, transition, cause, e);
            return null;
        }
        return resolveConflict(transition, cause, fallbacks, previous);
    }

    private void keepPending(PendingWrite previous, Transition transition, Event cause, RuntimeException error) {
        pending = previous == null ? new PendingWrite(transition, cause, error)
                : previous.carrying(transition, cause, error);
        scheduleRetry(error);
    }

    private InstanceWrite toWrite(Transition transition) {
        SagaInstance next = transition.next();
        return new InstanceWrite(next, transition.history(), next.owner() == null ? null : host.leaseDuration(),
                transition.consumedReplies(), List.of());
    }

    /** Why the data of {@code transition} cannot be written, or {@code null}. */
    private String checkData(Transition transition) {
        if (transition.data() == null) {
            return null;
        }
        String json;
        try {
            json = transition.next().data().json();
        } catch (SagaDataException e) {
            return host.errors().clean(e.getMessage());
        }
        int limit = Math.min(host.maxDataLength(), host.store().maxDataLength());
        if (json.length() > limit) {
            return "saga data of " + json.length() + " characters is longer than the limit of " + limit;
        }
        if (transition.data().getClass() != definition.dataType()) {
            // Another class than the declared one (a subclass): it must still read back as the declared type.
            try {
                host.codec().decode(json, definition.dataType());
            } catch (Exception e) {
                return "saga data of type " + transition.data().getClass().getName() + " cannot be read back as "
                        + definition.dataType().getName() + ": " + host.errors().clean(e.getMessage());
            }
        }
        return null;
    }

    /**
     * The store refused {@code transition} for good (or its data cannot be stored): write a simpler transition
     * that keeps the last durable data, the step failing as possibly done, then the saga FAILED; if even that is
     * refused, leave the instance to an operator.
     */
    private Runnable refuse(Transition transition, Event cause, String reason, int fallbacks) {
        log.warn("saga {} ({}): the store refused a write for good: {}", instance.id(), definition.name(), reason);
        Event fallback = null;
        if (fallbacks == 0 && transition.data() != null) {
            if (cause instanceof Succeeded s && s.compensation()) {
                fallback = new Succeeded(s.index(), true, null, null);
            } else if (cause instanceof Succeeded s) {
                fallback = new Failed(s.index(), false, new IllegalStateException(reason),
                        "its result could not be stored: " + reason, true, false);
            } else if (cause instanceof ReplyApplied r) {
                fallback = new ReplyRefused(r.index(), "its reply could not be stored: " + reason, true);
            }
        }
        if (fallback == null && fallbacks < 2) {
            fallback = new Transitions.MarkedFailed("the store refused a write for good: " + reason);
            fallbacks = 1;
        }
        if (fallback == null) {
            log.error("saga {} ({}) cannot be written even as FAILED and is left as it is for an operator: {}",
                    instance.id(), definition.name(), reason);
            host.quarantine(instance, reason);
            abandon(reason);
            return null;
        }
        Transition simpler = Transitions.decide(definition, instance, fallback, host.env())
                .consuming(transition.consumedReplies());
        return write(simpler, fallback, fallbacks + 1, null);
    }

    /**
     * The compare-and-set failed (or a write's outcome is unknown): read the instance back. If it holds exactly
     * what {@code transition} wrote, it was written; if it holds this run's state under a newer version and this
     * node's ownership (this node's own claim bumped it), carry on from there; otherwise another node or an
     * operator moved it, and this run stops driving it.
     */
    private Runnable resolveConflict(Transition transition, Event cause, int fallbacks, PendingWrite previous) {
        SagaInstance stored;
        try {
            stored = host.store().find(instance.id()).orElse(null);
        } catch (RuntimeException e) {
            if (transition == null) {
                // A local attempt: nothing to write; run it again once the store answers.
                long expected = token;
                timers.wake(host.storeBackoff().initialDelay(), () -> runAttempt(expected));
                return null;
            }
            keepPending(previous, transition, cause, e);
            return null;
        }
        if (transition != null && stored != null && stored.version() == transition.next().version()
                && sameWrite(stored, transition.next())) {
            return applied(transition);
        }

        if (stored != null && stored.version() > instance.version() && host.nodeId().equals(stored.owner())
                && sameState(stored, instance)) {
            log.debug("saga {}: this node's own claim moved it to version {}; carrying on from there", instance.id(),
                    stored.version());
            instance = stored;
            if (transition == null) {
                return attemptRunner();
            }
            Transition rebased = Transitions.decide(definition, instance, cause, host.env())
                    .consuming(transition.consumedReplies());
            return write(rebased, cause, fallbacks, previous);
        }
        lost();
        return null;
    }

    private void scheduleRetry(RuntimeException error) {
        PendingWrite write = pending;
        Duration delay = write.delay(host.storeBackoff());
        if (write.failures() == 1 || write.failures() % 10 == 0) {
            log.warn("saga {} ({}): writing to the store failed {} time(s), retrying in {} ms; nothing is lost: {}",
                    instance.id(), definition.name(), write.failures(), delay.toMillis(), error.toString());
        }
        host.later(delay, this::retryPending);
    }

    private void retryPending() {
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
            // Its outcome may be unknown: read back first; written already, or not yet, or overtaken.
            SagaInstance stored;
            try {
                stored = host.store().find(instance.id()).orElse(null);
            } catch (RuntimeException e) {
                keepPending(write, write.transition(), write.cause(), e);
                return;
            }
            Transition transition = write.transition();
            if (stored != null && stored.version() == instance.version()) {
                next = write(transition, write.cause(), 0, write);
            } else {
                next = resolveConflict(transition, write.cause(), 0, write);
            }
            if (pending == null) {
                log.info("saga {} ({}): the store is back", instance.id(), definition.name());
            }
        }
        run(next);
    }

    /** Whether the store holds what {@code transition} writes (after a write whose outcome was unknown). */
    boolean landed(Transition transition) {
        if (transition == null) {
            return false;
        }
        try {
            SagaInstance stored = host.store().find(transition.next().id()).orElse(null);
            return stored != null && stored.version() == transition.next().version()
                    && sameWrite(stored, transition.next());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** After a write: the instance, the live data, the events, and what to do next. */
    private Runnable applied(Transition transition) {
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
        token++;
        for (HistoryEntry entry : transition.history()) {
            host.emit(entry, definition.name());
        }
        if (!instance.status().isLive()) {
            return finish();
        }
        armDeadline();
        switch (transition.then()) {
            case ATTEMPT:
                return attemptRunner();
            case WAKE:
                scheduleWake(instance.steps().get(Transitions.requireCurrent(definition, instance)).wakeAt());
                return null;
            case AWAIT_REPLY:
                return awaitReply();
            case RESUME:
                return () -> resume(true);
            default:
                return null;
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

    /** Whether the store holds exactly what {@code intended} wrote. */
    private static boolean sameWrite(SagaInstance stored, SagaInstance intended) {
        return stored.status() == intended.status() && Objects.equals(stored.owner(), intended.owner())
                && stored.steps().equals(intended.steps());
    }

    /** Whether two versions of the instance hold the same saga state (a claim changes only owner and lease). */
    private static boolean sameState(SagaInstance a, SagaInstance b) {
        return a.status() == b.status() && a.steps().equals(b.steps()) && Objects.equals(a.error(), b.error())
                && a.data().equals(b.data());
    }

    private static boolean isPermanent(RuntimeException e) {
        return e instanceof SagaStoreException store ? store.isPermanent()
                : e instanceof SagaDataException || e instanceof IllegalArgumentException;
    }

    // ---------------------------------------------------------------- replies

    /**
     * A reply on its way to the run: as recorded (or as it would be), with the participant's payload object when
     * it was delivered here rather than read from the store.
     */
    record Incoming(RecordedReply recorded, Object livePayload) {
        String step() {
            return recorded.step();
        }
    }

    /** Checks the recorded replies for the awaiting step and arms its reply timeout. Under the lock. */
    private Runnable awaitReply() {
        int index = Transitions.requireCurrent(definition, instance);
        StepState step = instance.steps().get(index);
        long expected = token;
        if (step.wakeAt() != null) {
            timers.attemptTimeout(Duration.between(host.now(), step.wakeAt()), () -> onTimeout(expected));
        }
        return () -> checkRecordedReply(expected, step.name());
    }

    /** Applies a reply that another node (or an earlier process) recorded for the step that now waits. */
    private void checkRecordedReply(long expectedToken, String step) {
        RecordedReply recorded;
        try {
            recorded = recordedReply(instance().id(), step);
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
            if (expectedToken != token || done || pending != null) {
                return;
            }
            int index = Transitions.currentIndex(instance);
            if (index >= 0 && instance.steps().get(index).name().equals(step)
                    && instance.steps().get(index).status() == StepStatus.AWAITING_REPLY) {
                token++;
                timers.cancelAttemptTimeout();
                next = applyReply(index, new Incoming(recorded, null));
            }
        }
        run(next);
    }

    private RecordedReply recordedReply(String sagaId, String step) {
        for (RecordedReply reply : host.store().replies(sagaId)) {
            if (reply.step().equals(step)) {
                return reply;
            }
        }
        return null;
    }

    /** The recorded reply for {@code step}, or {@code null}, also when the store cannot say. */
    private RecordedReply recordedReplyQuietly(String step) {
        try {
            return recordedReply(instance.id(), step);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Delivers a reply to this run (this node drives the instance). If the step waits for it, the reply is
     * applied with one write; if the step's action still runs, the reply is recorded in the store and applied
     * when the action returns. Returns once the reply is durable either way.
     *
     * @throws ReplyRejectedException if the step is not waiting for a reply, or one is already recorded
     * @throws SagaStoreException if the store could not record it (deliver it again later)
     */
    void deliver(Incoming reply) {
        Runnable next;
        synchronized (this) {
            String problem = done ? "the saga is no longer driven by this node"
                    : replyProblem(definition, instance, reply.step());
            if (problem != null) {
                throw rejected(reply.step(), problem);
            }
            if (pending != null) {
                throw new SagaStoreException("the store is unavailable; the reply for step '" + reply.step()
                        + "' was not recorded, deliver it again later", instance.id(), null,
                        SagaStoreException.Failure.TRANSIENT);
            }
            int index = Transitions.requireCurrent(definition, instance);
            if (current != null && instance.steps().get(index).status() == StepStatus.RUNNING) {
                // The action that sends the command still runs: keep the reply durably until it returns.
                if (parkedReply != null || !host.store().recordReply(reply.recorded())) {
                    throw rejected(reply.step(), "a reply for step '" + reply.step() + "' is already recorded");
                }
                parkedReply = reply;
                return;
            }
            token++;
            timers.cancelAttemptTimeout();
            timers.cancelWake();
            next = applyReply(index, reply);
            if (pending != null) {
                throw new SagaStoreException("the store is unavailable; the reply for step '" + reply.step()
                        + "' will be recorded when it is back, if this node lives; delivering it again is safe",
                        instance.id(), null, SagaStoreException.Failure.OUTCOME_UNKNOWN);
            }
            if (lostToOther) {
                throw rejected(reply.step(), "the saga was changed by another node");
            }
        }
        // The host's thread only records the reply; the saga goes on on the executor.
        if (next != null) {
            host.execute(next);
        }
    }

    /** The action returned ({@code result}, or {@code null} if it failed) with a reply recorded meanwhile. */
    private Runnable applyParkedReply(int index, D result) {
        Incoming reply = parkedReply;
        parkedReply = null;
        // The command went out, so the reply decides the step whatever the action's own outcome.
        data = result != null ? result : restoreData();
        return applyReply(index, reply);
    }

    /** Merges and applies a reply to the awaiting step {@code index}, consuming its recorded entry. */
    private Runnable applyReply(int index, Incoming reply) {
        RecordedReply recorded = reply.recorded();
        Event event = recorded.succeeded() ? merge(index, reply)
                : new ReplyRefused(index, host.errors().clean("failure reply: " + recorded.reason()), false);
        Transition transition = Transitions.decide(definition, instance, event, host.env())
                .consuming(Set.of(reply.step()));
        return write(transition, event, 0, null);
    }

    private Event merge(int index, Incoming reply) {
        StepDefinition<D> step = saga.step(index);
        try {
            Class<?> type = step.replyType().orElse(Object.class);
            Object payload = reply.livePayload() != null ? host.convert(reply.livePayload(), type)
                    : reply.recorded().payloadJson() == null ? null
                    : host.codec().decode(reply.recorded().payloadJson(), type);
            D merged = step.replyMerger().merge(data, payload);
            if (merged == null) {
                throw new NullHandlerResult("reply merger returned null data");
            }
            return new ReplyApplied(index, merged);
        } catch (Exception e) {
            // The participant did act, so the step is compensated with the others.
            return new ReplyRefused(index, "reply could not be merged: " + host.errors().describe(e), true);
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

    private ReplyRejectedException rejected(String step, String problem) {
        host.emit(new HistoryEntry(instance.id(), host.now(), SagaEventType.REPLY_REJECTED, step, 0, problem),
                definition.name());
        return new ReplyRejectedException("reply rejected: " + problem, definition.name(), instance.id(), step);
    }

    // ---------------------------------------------------------------- operators and the deadline

    /**
     * An operator retries this FAILED instance: its stuck compensation or step runs again with a fresh budget.
     * Returns what to run next.
     *
     * @throws dev.sagaflow.IllegalTransitionException if it is not FAILED, has no stuck step, or changed meanwhile
     */
    synchronized Runnable operatorRetried() {
        Runnable next = apply(new Transitions.OperatorRetried());
        if (lostToOther) {
            throw new dev.sagaflow.IllegalTransitionException("cannot retry: the saga was changed concurrently;"
                    + " look again", definition.name(), instance.id(), null);
        }
        if (pending != null) {
            throw new SagaStoreException("the store is unavailable; the retry is written when it is back, if this"
                    + " node lives", instance.id(), null, SagaStoreException.Failure.OUTCOME_UNKNOWN);
        }
        return next;
    }

    /** Marks this instance FAILED for an operator (it cannot be resumed as it is stored). */
    synchronized void markFailed(String reason) {
        run(apply(new Transitions.MarkedFailed(reason)));
    }

    /**
     * Aborts the saga (an operator, or its deadline): the current step gives up and the saga compensates.
     *
     * @throws dev.sagaflow.IllegalTransitionException if the saga cannot be aborted
     * @throws SagaStoreException if the store is unavailable
     */
    void abort(String reason) {
        Runnable next;
        synchronized (this) {
            if (done) {
                throw new dev.sagaflow.IllegalTransitionException("cannot abort: the saga is no longer driven by"
                        + " this node", definition.name(), instance.id(), null);
            }
            String problem = Transitions.abortProblem(definition, instance);
            if (problem != null) {
                throw new dev.sagaflow.IllegalTransitionException("cannot abort: " + problem, definition.name(),
                        instance.id(), null);
            }
            if (pending != null) {
                throw new SagaStoreException("the store is unavailable; cannot abort now", instance.id(), null,
                        SagaStoreException.Failure.TRANSIENT);
            }
            Attempt<D> attempt = current;
            token++;
            if (attempt != null) {
                current = null;
                host.attemptFinished();
                timers.overtake(attempt, host.now().plus(host.timeoutGrace()));
            }
            timers.cancelAttemptTimeout();
            timers.cancelWake();
            Set<String> consumed = Set.of();
            if (parkedReply != null) {
                consumed = Set.of(parkedReply.step());
                parkedReply = null;
            }
            Event event = new Aborted(host.errors().clean(reason));
            next = write(Transitions.decide(definition, instance, event, host.env()).consuming(consumed), event, 0,
                    null);
            if (lostToOther) {
                throw new dev.sagaflow.IllegalTransitionException("cannot abort: the saga was changed by another"
                        + " node", definition.name(), instance.id(), null);
            }
        }
        if (next != null) {
            host.execute(next);
        }
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

    private void scheduleWake(Instant at) {
        long expected = token;
        timers.wake(Duration.between(host.now(), at), () -> runAttempt(expected));
    }

    // ---------------------------------------------------------------- ownership

    /**
     * Called by recovery with the stored instance when it looks moved under this run: a run that another node or
     * an operator overtook stops and watches for the outcome; one that only this node's own claim bumped goes on.
     */
    void checkStored(SagaInstance stored) {
        synchronized (this) {
            if (done || pending != null || current != null) {
                return;
            }
            if (stored != null && stored.version() == instance.version()) {
                return;
            }
            if (stored != null && host.nodeId().equals(stored.owner()) && sameState(stored, instance)) {
                instance = stored;
                return;
            }
            lost();
        }
    }

    private void lost() {
        lostToOther = true;
        log.info("saga {} ({}) was changed by another node (its lease was taken over or an operator acted); "
                + "this node stops driving it", instance.id(), definition.name());
        abandon(null);
        host.watch(instance.id(), definition, outcome);
    }

    private void abandon(String reason) {
        done = true;
        timers.cancelAll();
        host.forget(this);
        parkedReply = null;
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
        parkedReply = null;
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
