package dev.sagaflow.internal;

import dev.sagaflow.AsyncStepAction;
import dev.sagaflow.BusinessRejection;
import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepAction;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.StepStatus;
import dev.sagaflow.StepTimeoutException;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import dev.sagaflow.store.TransactionalSagaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Drives one saga instance on this node. Every event (an attempt's result, a timer, a reply, an
 * abort) is handled under this object's lock: it decides the next durable state, writes it with
 * one compare-and-set, and only then acts on it. User code (actions, compensations) always runs
 * outside the lock; a token tells a late result from the current one.
 */
final class SagaRun<D> {
    private static final Logger log = LoggerFactory.getLogger(SagaRun.class);
    private static final int MAX_WRITE_BACKOFF_MS = 10_000;

    private final Orchestrator orchestrator;
    private final SagaDefinition<D> definition;
    private final CompletableFuture<SagaOutcome<D>> outcome = new CompletableFuture<>();

    // Guarded by this.
    private SagaInstance instance;
    private D data;
    private long token;
    private boolean inFlight;
    private boolean done;
    private PendingReply pendingReply;
    private Transition pendingWrite;
    private int writeFailures;
    private Commit lastCommit;
    private SagaTimer.Scheduled timeoutTask;
    private SagaTimer.Scheduled wakeTask;
    private SagaTimer.Scheduled deadlineTask;
    private Instant attemptDeadline;
    // While deciding a local step's transition inside its store transaction: commit() only records it.
    private boolean decideOnly;
    private Transition decided;

    SagaRun(Orchestrator orchestrator, SagaDefinition<D> definition, SagaInstance instance, D data) {
        this.orchestrator = orchestrator;
        this.definition = definition;
        this.instance = instance;
        this.data = data;
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

    synchronized boolean isAttemptInFlight() {
        return inFlight;
    }

    // ---------------------------------------------------------------- driving

    /**
     * Acts on the durable state: runs or schedules the current attempt, arms timers, or finishes.
     * {@code recovered}: the instance was taken over from a crashed or stopped node, so a step found
     * RUNNING may have taken effect and is re-run as a new attempt.
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
        SagaStatus status = instance.status();
        if (!status.isLive()) {
            return finish();
        }
        armDeadline();
        int index = currentIndex();
        StepState step = instance.steps().get(index);
        Instant now = orchestrator.now();
        if (step.status() == StepStatus.AWAITING_REPLY) {
            armReplyTimeout(step.wakeAt());
            return null;
        }
        if (step.wakeAt() != null && step.wakeAt().isAfter(now)) {
            scheduleWake(step.wakeAt());
            return null;
        }
        if (!recovered) {
            return attemptRunner();
        }
        // Found RUNNING (or COMPENSATING) after a crash: the last attempt may have run. Record that
        // before running it again, so a crash loop still counts attempts.
        boolean compensating = status == SagaStatus.COMPENSATING;
        StepState resumed = compensating
                ? step.with(StepStatus.COMPENSATING, step.attempts(), step.compensationAttempts() + 1,
                        step.mayHaveTakenEffect(), step.startedAt(), step.endedAt(), null, step.error())
                : step.with(StepStatus.RUNNING, step.attempts() + 1, step.compensationAttempts(),
                        // A local step's interrupted attempt rolled back with its transaction.
                        step.mayHaveTakenEffect() || !definition.steps().get(index).isLocal(),
                        step.startedAt(), step.endedAt(), null, step.error());
        StepState[] steps = replace(instance.steps(), index, resumed);
        HistoryEntry entry = history(now, SagaEventType.STEP_RESUMED, step.name(),
                compensating ? resumed.compensationAttempts() : resumed.attempts(),
                compensating ? "compensation resumed from the store" : "action resumed from the store");
        return commit(transition(status, steps, instance.error(), now, List.of(entry), data, Then.ATTEMPT));
    }

    private void runAttempt(long expectedVersion) {
        Attempt attempt;
        synchronized (this) {
            attempt = instance.version() == expectedVersion ? prepareAttempt() : null;
        }
        if (attempt != null) {
            invoke(attempt);
        }
    }

    private Attempt prepareAttempt() {
        if (done || orchestrator.isClosed() || pendingWrite != null || inFlight) {
            return null;
        }
        boolean compensating = instance.status() == SagaStatus.COMPENSATING;
        int index = currentIndex();
        StepState step = instance.steps().get(index);
        StepStatus expected = compensating ? StepStatus.COMPENSATING : StepStatus.RUNNING;
        Instant now = orchestrator.now();
        if (step.status() != expected || (step.wakeAt() != null && step.wakeAt().isAfter(now))) {
            return null;
        }
        StepDefinition<D> stepDefinition = definition.steps().get(index);
        Instant deadline = attemptDeadline(stepDefinition, compensating, now);
        int number = compensating ? step.compensationAttempts() : step.attempts();
        long attemptToken = ++token;
        inFlight = true;
        attemptDeadline = deadline;
        if (deadline != null) {
            cancel(timeoutTask);
            timeoutTask = orchestrator.later(Duration.between(now, deadline), () -> onTimeout(attemptToken));
        }
        AttemptContext context = new AttemptContext(instance.id(), definition.name(), step.name(), number,
                compensating, deadline, null, Map.of());
        return new Attempt(attemptToken, index, compensating, context, data, instance.version());
    }

    private Instant attemptDeadline(StepDefinition<D> step, boolean compensating, Instant now) {
        Instant deadline = step.timeout().map(now::plus).orElse(null);
        Instant sagaDeadline = instance.deadline();
        if (!compensating && sagaDeadline != null && !pivotSucceeded()
                && (deadline == null || sagaDeadline.isBefore(deadline))) {
            deadline = sagaDeadline;
        }
        return deadline;
    }

    private void invoke(Attempt attempt) {
        StepDefinition<D> step = definition.steps().get(attempt.index);
        String previousStep = MDC.get(Orchestrator.MDC_STEP);
        MDC.put(Orchestrator.MDC_SAGA_ID, instance.id());
        MDC.put(Orchestrator.MDC_SAGA_NAME, definition.name());
        MDC.put(Orchestrator.MDC_STEP, step.name());
        ObservedAttempt observed = null;
        try {
            log.debug("running {} attempt {}", attempt.context.isCompensation() ? "compensation" : "action",
                    attempt.context.attempt());
            if (step.isLocal()) {
                invokeLocal(attempt, step);
                return;
            }
            for (StepInterceptor interceptor : orchestrator.interceptors()) {
                interceptor.beforeAttempt(attempt.context);
            }
            observed = ObservedAttempt.start(orchestrator.attemptObservers(), attempt.context);
            StepAction<D> sync = attempt.compensation ? step.compensation() : step.action();
            if (sync != null) {
                D result = sync.apply(attempt.data, observed.context());
                observed.handlerReturned();
                observed.ended(attemptError(attempt, result, null));
                onResult(attempt, result, null);
                return;
            }
            AsyncStepAction<D> async = attempt.compensation ? step.asyncCompensation() : step.asyncAction();
            CompletionStage<D> stage = async.apply(attempt.data, observed.context());
            observed.handlerReturned();
            if (stage == null) {
                IllegalStateException nullStage = new IllegalStateException("asynchronous handler returned a null stage");
                observed.ended(nullStage);
                onResult(attempt, null, nullStage);
                return;
            }
            ObservedAttempt observedAsync = observed;
            stage.whenComplete((result, error) -> {
                observedAsync.ended(attemptError(attempt, result, unwrap(error)));
                onResult(attempt, result, unwrap(error));
            });
        } catch (Throwable error) {
            if (observed != null) {
                observed.handlerReturned();
                observed.ended(error);
            }
            onResult(attempt, null, error);
        } finally {
            restoreMdc(previousStep);
        }
    }

    /**
     * Runs a local step's handler inside the store transaction that records its outcome: the
     * transition is decided inside the transaction and applied only once it has committed.
     */
    private void invokeLocal(Attempt attempt, StepDefinition<D> step) {
        TransactionalSagaStore store = (TransactionalSagaStore) orchestrator.store();
        List<Transition> decided = new ArrayList<>(1);
        ObservedAttempt[] observed = new ObservedAttempt[1];
        boolean committed;
        try {
            committed = store.updateWithLocalWork(attempt.version, connection -> {
                AttemptContext context = attempt.context.withConnection(connection);
                for (StepInterceptor interceptor : orchestrator.interceptors()) {
                    interceptor.beforeAttempt(context);
                }
                observed[0] = ObservedAttempt.start(orchestrator.attemptObservers(), context);
                StepAction<D> handler = attempt.compensation ? step.compensation() : step.action();
                D result;
                try {
                    result = handler.apply(attempt.data, observed[0].context());
                } finally {
                    observed[0].handlerReturned();
                }
                if (result == null) {
                    throw new NullHandlerResult((attempt.compensation ? "compensation" : "action") + " returned null data");
                }
                Transition transition = decideSuccess(attempt, result);
                if (transition == null) {
                    throw new StaleAttempt();
                }
                decided.add(transition);
                return new TransactionalSagaStore.Write(transition.next, transition.history);
            });
        } catch (TransactionalSagaStore.LocalWorkException e) {
            ObservedAttempt.ended(observed[0], e.getCause());
            if (!(e.getCause() instanceof StaleAttempt)) {
                onResult(attempt, null, e.getCause());
            }
            return;
        } catch (RuntimeException e) {
            // The store failed around the work: it rolled back unless the commit itself was lost.
            committed = !decided.isEmpty() && alreadyWrittenQuietly(decided.get(0).next);
            if (!committed) {
                ObservedAttempt.ended(observed[0], e);
                localStoreFailure(attempt, e);
                return;
            }
        }
        ObservedAttempt.ended(observed[0], committed ? null
                : new IllegalStateException("rolled back: the saga was changed by another node meanwhile"));
        Runnable next;
        synchronized (this) {
            if (attempt.token != token || done) {
                return;
            }
            inFlight = false;
            orchestrator.attemptFinished();
            cancel(timeoutTask);
            if (!committed) {
                lastCommit = Commit.LOST;
                lost();
                return;
            }
            lastCommit = Commit.WRITTEN;
            next = applied(decided.get(0));
        }
        run(next);
    }

    /** What the attempt observers are told an attempt ended with: the handler's error, or null data as one. */
    private Throwable attemptError(Attempt attempt, Object result, Throwable error) {
        if (error == null && result == null) {
            return new NullHandlerResult((attempt.compensation ? "compensation" : "action") + " returned null data");
        }
        return error;
    }

    /** Decides, without writing, the transition that records a successful attempt; null if the attempt is stale. */
    private synchronized Transition decideSuccess(Attempt attempt, D result) {
        if (attempt.token != token || done || instance.version() != attempt.version) {
            return null;
        }
        decideOnly = true;
        try {
            if (attempt.compensation) {
                compensationFinished(attempt.index, result, null);
            } else {
                stepSucceeded(attempt.index, result, orchestrator.now());
            }
            return decided;
        } finally {
            decideOnly = false;
            decided = null;
        }
    }

    private boolean alreadyWrittenQuietly(SagaInstance intended) {
        try {
            return alreadyWritten(intended);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The store failed while a local attempt ran; nothing took effect, so the attempt is run again later. */
    private void localStoreFailure(Attempt attempt, RuntimeException error) {
        synchronized (this) {
            if (attempt.token != token || done) {
                return;
            }
            token++;
            inFlight = false;
            orchestrator.attemptFinished();
            cancel(timeoutTask);
            writeFailures++;
            long backoff = writeBackoffMillis();
            log.warn("saga {} ({}): the store failed during local step '{}', which was rolled back; running it again"
                    + " in {} ms: {}", instance.id(), definition.name(), attempt.context.stepName(), backoff,
                    error.toString());
            long version = instance.version();
            cancel(wakeTask);
            wakeTask = orchestrator.later(Duration.ofMillis(backoff), () -> runAttempt(version));
        }
    }

    private void onResult(Attempt attempt, D result, Throwable error) {
        Runnable next;
        synchronized (this) {
            if (attempt.token != token || done) {
                log.debug("ignoring the late result of attempt {} of step '{}' of saga {}",
                        attempt.context.attempt(), attempt.context.stepName(), instance.id());
                return;
            }
            inFlight = false;
            orchestrator.attemptFinished();
            Throwable failure = error;
            if (failure == null && result == null) {
                failure = new NullHandlerResult((attempt.compensation ? "compensation" : "action")
                        + " returned null data");
            }
            StepDefinition<D> step = definition.steps().get(attempt.index);
            if (!(failure == null && step.awaitsReply() && !attempt.compensation)) {
                cancel(timeoutTask);
            }
            next = attempt.compensation
                    ? compensationFinished(attempt.index, result, failure)
                    : actionFinished(attempt.index, result, failure, false);
        }
        run(next);
    }

    private void onTimeout(long attemptToken) {
        Runnable next;
        synchronized (this) {
            if (attemptToken != token || done) {
                return;
            }
            if (pendingWrite != null) {
                // Decide the timeout once the pending write has landed.
                timeoutTask = orchestrator.later(Duration.ofMillis(MAX_WRITE_BACKOFF_MS / 10), () -> onTimeout(attemptToken));
                return;
            }
            token++;
            if (inFlight) {
                inFlight = false;
                orchestrator.attemptFinished();
            }
            int index = currentIndex();
            StepState step = instance.steps().get(index);
            String message = (instance.status() == SagaStatus.COMPENSATING ? "compensation" : "action")
                    + " timed out (attempt " + (instance.status() == SagaStatus.COMPENSATING
                            ? step.compensationAttempts() : step.attempts()) + ")";
            StepTimeoutException timeout = new StepTimeoutException(message, definition.name(), instance.id(),
                    step.name());
            if (instance.status() == SagaStatus.COMPENSATING) {
                next = compensationFinished(index, null, timeout);
            } else {
                next = actionFinished(index, null, timeout, true);
            }
        }
        run(next);
    }

    // ---------------------------------------------------------------- forward

    private Runnable actionFinished(int index, D result, Throwable error, boolean timedOut) {
        StepDefinition<D> stepDefinition = definition.steps().get(index);
        StepState step = instance.steps().get(index);
        Instant now = orchestrator.now();
        if (pendingReply != null) {
            // The participant answered while our side of the action ran: the command went out, so
            // the reply decides the step whatever the action's own outcome.
            PendingReply reply = pendingReply;
            pendingReply = null;
            if (error == null) {
                data = result;
            }
            Runnable next = applyReply(index, reply.reply);
            reply.settle(lastCommit, this);
            return next;
        }
        if (error == null) {
            if (stepDefinition.awaitsReply()) {
                StepState awaiting = step.with(StepStatus.AWAITING_REPLY, step.attempts(), step.compensationAttempts(),
                        step.mayHaveTakenEffect(), step.startedAt(), null, attemptDeadline, null);
                HistoryEntry entry = history(now, SagaEventType.STEP_AWAITING_REPLY, step.name(), step.attempts(), null);
                return commit(transition(SagaStatus.RUNNING, replace(instance.steps(), index, awaiting),
                        instance.error(), now, List.of(entry), result, Then.NONE));
            }
            return stepSucceeded(index, result, now);
        }
        boolean mayHaveTakenEffect = step.mayHaveTakenEffect() || timedOut;
        String message = describe(error);
        boolean retryable = !(error instanceof NullHandlerResult)
                && stepDefinition.retryPolicy().shouldRetry(step.attempts(), error)
                && !sagaDeadlinePassed(now);
        if (retryable) {
            Instant wakeAt = now.plus(stepDefinition.retryPolicy().delayBefore(step.attempts() + 1));
            StepState retrying = step.with(StepStatus.RUNNING, step.attempts() + 1, step.compensationAttempts(),
                    mayHaveTakenEffect, step.startedAt(), null, wakeAt, message);
            HistoryEntry entry = history(now, SagaEventType.STEP_RETRY_SCHEDULED, step.name(), step.attempts(), message);
            log.debug("step '{}' of saga {} failed attempt {}, retrying at {}: {}", step.name(), instance.id(),
                    step.attempts(), wakeAt, message);
            return commit(transition(SagaStatus.RUNNING, replace(instance.steps(), index, retrying),
                    instance.error(), now, List.of(entry), data, Then.WAKE));
        }
        return giveUp(index, message, mayHaveTakenEffect, now, List.of());
    }

    private Runnable stepSucceeded(int index, D result, Instant now) {
        StepState step = instance.steps().get(index);
        StepState succeeded = step.with(StepStatus.SUCCEEDED, step.attempts(), step.compensationAttempts(),
                step.mayHaveTakenEffect(), step.startedAt(), now, null, null);
        StepState[] steps = replace(instance.steps(), index, succeeded);
        HistoryEntry entry = history(now, SagaEventType.STEP_SUCCEEDED, step.name(), step.attempts(), null);
        if (index + 1 < steps.length) {
            StepState following = steps[index + 1];
            set(steps, index + 1, following.with(StepStatus.RUNNING, 1, 0, false, now, null, null, null));
            return commit(transition(SagaStatus.RUNNING, steps, null, now, List.of(entry), result, Then.ATTEMPT));
        }
        List<HistoryEntry> entries = List.of(entry, history(now, SagaEventType.SAGA_COMPLETED, null, 0, null));
        return commit(transition(SagaStatus.COMPLETED, steps, null, now, entries, result, Then.NONE));
    }

    /** The step at {@code index} gives up: the saga compensates, or is FAILED after the pivot. */
    private Runnable giveUp(int index, String message, boolean mayHaveTakenEffect, Instant now,
            List<HistoryEntry> earlier) {
        StepState step = instance.steps().get(index);
        StepState failed = step.with(StepStatus.FAILED, step.attempts(), step.compensationAttempts(),
                mayHaveTakenEffect, step.startedAt(), now, null, message);
        StepState[] steps = replace(instance.steps(), index, failed);
        List<HistoryEntry> entries = plus(earlier, history(now, SagaEventType.STEP_FAILED, step.name(),
                step.attempts(), message));
        String reason = "step '" + step.name() + "' failed: " + message;
        if (definition.pivotIndex() >= 0 && index > definition.pivotIndex()) {
            log.warn("saga {} ({}) is FAILED: step '{}' after the pivot gave up after {} attempts: {}",
                    instance.id(), definition.name(), step.name(), step.attempts(), message);
            entries = plus(entries, history(now, SagaEventType.SAGA_FAILED, step.name(), step.attempts(), reason));
            return commit(transition(SagaStatus.FAILED, steps, reason, now, entries, data, Then.NONE));
        }
        return startCompensation(steps, index, reason, entries, now, data);
    }

    private Runnable startCompensation(StepState[] steps, int from, String reason, List<HistoryEntry> entries,
            Instant now, D newData) {
        int target = nextToCompensate(steps, from);
        if (target < 0) {
            List<HistoryEntry> all = plus(entries, history(now, SagaEventType.SAGA_COMPENSATED, null, 0, reason));
            return commit(transition(SagaStatus.COMPENSATED, steps, reason, now, all, newData, Then.NONE));
        }
        StepState step = steps[target];
        set(steps, target, step.with(StepStatus.COMPENSATING, step.attempts(), 1, step.mayHaveTakenEffect(),
                step.startedAt(), step.endedAt(), null, step.error()));
        return commit(transition(SagaStatus.COMPENSATING, steps, reason, now, entries, newData, Then.ATTEMPT));
    }

    private int nextToCompensate(StepState[] steps, int from) {
        for (int i = from; i >= 0; i--) {
            if (steps[i].needsCompensation() && definition.steps().get(i).hasCompensation()) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- backward

    private Runnable compensationFinished(int index, D result, Throwable error) {
        StepState step = instance.steps().get(index);
        Instant now = orchestrator.now();
        if (error == null) {
            StepState compensated = step.with(StepStatus.COMPENSATED, step.attempts(), step.compensationAttempts(),
                    step.mayHaveTakenEffect(), step.startedAt(), now, null, step.error());
            StepState[] steps = replace(instance.steps(), index, compensated);
            List<HistoryEntry> entries = List.of(history(now, SagaEventType.COMPENSATION_SUCCEEDED, step.name(),
                    step.compensationAttempts(), null));
            return startCompensation(steps, index - 1, instance.error(), entries, now, result);
        }
        String message = describe(error);
        StepDefinition<D> stepDefinition = definition.steps().get(index);
        if (!(error instanceof NullHandlerResult)
                && stepDefinition.compensationRetryPolicy().shouldRetry(step.compensationAttempts(), error)) {
            Instant wakeAt = now.plus(stepDefinition.compensationRetryPolicy().delayBefore(step.compensationAttempts() + 1));
            StepState retrying = step.with(StepStatus.COMPENSATING, step.attempts(), step.compensationAttempts() + 1,
                    step.mayHaveTakenEffect(), step.startedAt(), step.endedAt(), wakeAt, message);
            HistoryEntry entry = history(now, SagaEventType.COMPENSATION_RETRY_SCHEDULED, step.name(),
                    step.compensationAttempts(), message);
            return commit(transition(SagaStatus.COMPENSATING, replace(instance.steps(), index, retrying),
                    instance.error(), now, List.of(entry), data, Then.WAKE));
        }
        StepState stuck = step.with(StepStatus.COMPENSATING, step.attempts(), step.compensationAttempts(),
                step.mayHaveTakenEffect(), step.startedAt(), step.endedAt(), null, message);
        String reason = "compensation of step '" + step.name() + "' gave up after " + step.compensationAttempts()
                + " attempts: " + message;
        log.error("saga {} ({}) is FAILED and needs an operator: {}", instance.id(), definition.name(), reason);
        List<HistoryEntry> entries = List.of(
                history(now, SagaEventType.COMPENSATION_GAVE_UP, step.name(), step.compensationAttempts(), message),
                history(now, SagaEventType.SAGA_FAILED, step.name(), step.compensationAttempts(), reason));
        return commit(transition(SagaStatus.FAILED, replace(instance.steps(), index, stuck), reason, now, entries, data, Then.NONE));
    }

    // ---------------------------------------------------------------- replies and operators

    /**
     * Applies a reply, or parks it until the running action returns. The returned future completes
     * when the reply is durably recorded, or exceptionally when it is rejected or cannot be recorded.
     */
    CompletableFuture<Void> onReply(SagaReply reply) {
        CompletableFuture<Void> recorded = new CompletableFuture<>();
        Runnable next = null;
        synchronized (this) {
            String problem = replyProblem(reply);
            if (problem != null) {
                recorded.completeExceptionally(rejected(reply, problem));
                return recorded;
            }
            if (pendingWrite != null) {
                recorded.completeExceptionally(new SagaStoreException("the store is unavailable; the reply for step '"
                        + reply.step() + "' was not recorded, deliver it again later", instance.id(), null));
                return recorded;
            }
            int index = currentIndex();
            if (inFlight && instance.steps().get(index).status() == StepStatus.RUNNING) {
                pendingReply = new PendingReply(reply, recorded);
                return recorded;
            }
            token++;
            cancel(timeoutTask);
            cancel(wakeTask);
            next = applyReply(index, reply);
            new PendingReply(reply, recorded).settle(lastCommit, this);
        }
        // The host's thread only records the reply; the saga goes on on the executor.
        if (next != null) {
            orchestrator.execute(next);
        }
        return recorded;
    }

    /** Why {@code reply} cannot be applied to the current durable state, or {@code null} if it can. */
    synchronized String replyProblem(SagaReply reply) {
        if (done) {
            return "the saga is no longer driven by this node";
        }
        return replyProblem(definition, instance, reply);
    }

    static String replyProblem(SagaDefinition<?> definition, SagaInstance instance, SagaReply reply) {
        StepDefinition<?> step = definition.step(reply.step()).orElse(null);
        if (step == null) {
            return "the saga has no step '" + reply.step() + "'";
        }
        if (!step.awaitsReply()) {
            return "step '" + reply.step() + "' does not await replies";
        }
        StepState state = instance.step(reply.step());
        if (instance.status() != SagaStatus.RUNNING) {
            return "the saga is " + instance.status() + " and step '" + reply.step() + "' is " + state.status();
        }
        if (state.status() != StepStatus.AWAITING_REPLY && state.status() != StepStatus.RUNNING) {
            return "step '" + reply.step() + "' is " + state.status() + ", not waiting for a reply";
        }
        return null;
    }

    private ReplyRejectedException rejected(SagaReply reply, String problem) {
        orchestrator.emit(new HistoryEntry(instance.id(), orchestrator.now(), SagaEventType.REPLY_REJECTED,
                reply.step(), 0, problem), definition.name());
        return new ReplyRejectedException("reply rejected: " + problem, definition.name(), instance.id(), reply.step());
    }

    private Runnable applyReply(int index, SagaReply reply) {
        StepDefinition<D> step = definition.steps().get(index);
        StepState state = instance.steps().get(index);
        Instant now = orchestrator.now();
        if (!reply.succeeded()) {
            String message = "failure reply: " + reply.reason();
            return giveUp(index, message, state.mayHaveTakenEffect(), now, List.of());
        }
        D merged;
        try {
            Object payload = orchestrator.convert(reply.payload(), step.replyType().orElse(Object.class));
            merged = step.replyMerger().merge(data, payload);
            if (merged == null) {
                throw new NullHandlerResult("reply merger returned null data");
            }
        } catch (Exception e) {
            // The participant did act, so the step is compensated with the others.
            return giveUp(index, "reply could not be merged: " + describe(e), true, now, List.of());
        }
        return stepSucceeded(index, merged, now);
    }

    /** Aborts the saga (operator or deadline): gives up the current step and compensates. */
    void abort(String reason) {
        Runnable next;
        synchronized (this) {
            String problem = abortProblem(definition, instance);
            if (done) {
                problem = "the saga is no longer driven by this node";
            }
            if (problem != null) {
                throw new IllegalTransitionException("cannot abort: " + problem, definition.name(), instance.id(), null);
            }
            if (pendingWrite != null) {
                throw new SagaStoreException("the store is unavailable; cannot abort now", instance.id(), null);
            }
            token++;
            if (inFlight) {
                inFlight = false;
                orchestrator.attemptFinished();
            }
            cancel(timeoutTask);
            cancel(wakeTask);
            if (pendingReply != null) {
                pendingReply.recorded.completeExceptionally(rejected(pendingReply.reply, "the saga was aborted"));
                pendingReply = null;
            }
            int index = currentIndex();
            StepState step = instance.steps().get(index);
            boolean mayHaveTakenEffect = step.mayHaveTakenEffect() || step.status() == StepStatus.AWAITING_REPLY
                    || step.wakeAt() == null;
            Instant now = orchestrator.now();
            List<HistoryEntry> aborted = List.of(history(now, SagaEventType.SAGA_ABORTED, null, 0, reason));
            next = giveUp(index, "aborted: " + reason, mayHaveTakenEffect, now, aborted);
            if (lastCommit == Commit.LOST) {
                throw new IllegalTransitionException("cannot abort: the saga was changed by another node",
                        definition.name(), instance.id(), null);
            }
        }
        if (next != null) {
            orchestrator.execute(next);
        }
    }

    /**
     * Why a stored instance cannot be driven by {@code definition} although their fingerprints
     * match (its row was edited or corrupted): its steps are not the definition's, or it is live but
     * no step is current. {@code null} if it can.
     */
    static String stateProblem(SagaDefinition<?> definition, SagaInstance instance) {
        List<String> stored = instance.steps().stream().map(StepState::name).toList();
        if (!stored.equals(definition.stepNames())) {
            return "its stored steps " + stored + " are not the steps " + definition.stepNames() + " of saga '"
                    + definition.name() + "' version " + definition.version();
        }
        if (instance.status().isLive()) {
            boolean compensating = instance.status() == SagaStatus.COMPENSATING;
            boolean current = instance.steps().stream().anyMatch(step -> compensating
                    ? step.status() == StepStatus.COMPENSATING
                    : step.status() == StepStatus.RUNNING || step.status() == StepStatus.AWAITING_REPLY);
            if (!current) {
                return "it is " + instance.status() + " but no step is "
                        + (compensating ? "COMPENSATING" : "RUNNING or AWAITING_REPLY") + ": " + instance.steps();
            }
        }
        return null;
    }

    static String abortProblem(SagaDefinition<?> definition, SagaInstance instance) {
        if (instance.status() != SagaStatus.RUNNING) {
            return "the saga is " + instance.status() + ", only a RUNNING saga can be aborted (RUNNING -> COMPENSATING)";
        }
        int pivot = definition.pivotIndex();
        if (pivot >= 0 && instance.steps().get(pivot).status() == StepStatus.SUCCEEDED) {
            return "the saga is past its pivot '" + definition.steps().get(pivot).name() + "' and must finish";
        }
        return null;
    }

    // ---------------------------------------------------------------- writes

    private Transition transition(SagaStatus status, StepState[] steps, String error, Instant now,
            List<HistoryEntry> entries, D newData, Then then) {
        return new Transition(next(status, steps, error, now, newData), entries, newData, then);
    }

    private Runnable commit(Transition transition) {
        if (decideOnly) {
            decided = transition;
            return null;
        }
        if (orchestrator.isHalted()) {
            abandon("the orchestrator was halted");
            lastCommit = Commit.LOST;
            return null;
        }
        boolean written;
        try {
            written = orchestrator.store().update(instance.version(), transition.next, transition.history);
        } catch (RuntimeException e) {
            pendingWrite = transition;
            lastCommit = Commit.PENDING;
            writeFailures = 0;
            scheduleWriteRetry(e);
            return null;
        }
        if (!written) {
            lastCommit = Commit.LOST;
            lost();
            return null;
        }
        lastCommit = Commit.WRITTEN;
        return applied(transition);
    }

    private Runnable applied(Transition transition) {
        instance = transition.next;
        data = transition.data;
        for (HistoryEntry entry : transition.history) {
            orchestrator.emit(entry, definition.name());
        }
        if (!instance.status().isLive()) {
            return finish();
        }
        armDeadline();
        switch (transition.then) {
            case ATTEMPT:
                return attemptRunner();
            case WAKE:
                scheduleWake(instance.steps().get(currentIndex()).wakeAt());
                return null;
            default:
                return null;
        }
    }

    /** Runs the current attempt unless the instance has moved on by the time it starts. */
    private Runnable attemptRunner() {
        long version = instance.version();
        return () -> runAttempt(version);
    }

    private void scheduleWriteRetry(RuntimeException error) {
        writeFailures++;
        long backoff = writeBackoffMillis();
        if (writeFailures == 1 || writeFailures % 10 == 0) {
            log.warn("saga {} ({}): writing to the store failed {} time(s), retrying in {} ms; nothing is lost: {}",
                    instance.id(), definition.name(), writeFailures, backoff, error.toString());
        }
        orchestrator.later(Duration.ofMillis(backoff), this::retryWrite);
    }

    /** Doubling from 100 ms with each consecutive store failure, capped. */
    private long writeBackoffMillis() {
        return Math.min(MAX_WRITE_BACKOFF_MS, 100L << Math.min(writeFailures - 1, 10));
    }

    private void retryWrite() {
        Runnable next;
        synchronized (this) {
            Transition transition = pendingWrite;
            if (transition == null || done) {
                return;
            }
            if (orchestrator.isHalted()) {
                abandon("the orchestrator was halted");
                return;
            }
            try {
                boolean written = orchestrator.store().update(instance.version(), transition.next, transition.history);
                if (!written && !alreadyWritten(transition.next)) {
                    pendingWrite = null;
                    lost();
                    return;
                }
            } catch (RuntimeException e) {
                scheduleWriteRetry(e);
                return;
            }
            log.info("saga {} ({}): the store is back, the pending write succeeded", instance.id(), definition.name());
            pendingWrite = null;
            writeFailures = 0;
            next = applied(transition);
        }
        run(next);
    }

    /** After a write whose outcome was unknown: whether the store holds exactly what it tried to write. */
    private boolean alreadyWritten(SagaInstance intended) {
        SagaInstance stored = orchestrator.store().find(intended.id()).orElse(null);
        return stored != null && stored.version() == intended.version() && intended.status() == stored.status()
                && java.util.Objects.equals(intended.owner(), stored.owner())
                && stored.steps().equals(intended.steps());
    }

    private void lost() {
        log.info("saga {} ({}) was changed by another node (its lease was taken over or an operator acted); "
                + "this node stops driving it", instance.id(), definition.name());
        abandon(null);
        orchestrator.watch(instance.id(), definition, outcome);
    }

    private void abandon(String reason) {
        done = true;
        cancelTimers();
        orchestrator.forget(this);
        if (pendingReply != null) {
            pendingReply.settle(Commit.LOST, this);
            pendingReply = null;
        }
        if (reason != null && !outcome.isDone()) {
            outcome.completeExceptionally(orchestrator.closedException(definition.name(), instance.id()));
        }
    }

    private Runnable finish() {
        done = true;
        cancelTimers();
        orchestrator.forget(this);
        outcome.complete(new SagaOutcome<>(instance.id(), definition.name(), instance.status(), data, instance.error()));
        return null;
    }

    /** Called by the orchestrator when it closes or halts: no more attempts start; nothing is written. */
    synchronized void stop(RuntimeException reason) {
        done = true;
        cancelTimers();
        if (pendingReply != null) {
            pendingReply.recorded.completeExceptionally(reason);
            pendingReply = null;
        }
        outcome.completeExceptionally(reason);
    }

    /** Called when a claim renewed this node's hold on an instance it already drives. */
    synchronized boolean refreshClaim(SagaInstance claimed) {
        if (done || pendingWrite != null || claimed.version() != instance.version() + 1) {
            return false;
        }
        instance = claimed;
        return true;
    }

    // ---------------------------------------------------------------- timers

    private void armDeadline() {
        Instant deadline = instance.deadline();
        if (deadline == null || deadlineTask != null || pivotSucceeded() || instance.status() != SagaStatus.RUNNING) {
            return;
        }
        deadlineTask = orchestrator.later(Duration.between(orchestrator.now(), deadline), this::deadlineReached);
    }

    private void deadlineReached() {
        try {
            abort("saga deadline " + instance.deadline() + " exceeded");
        } catch (SagaStoreException e) {
            synchronized (this) {
                if (!done) {
                    deadlineTask = orchestrator.later(Duration.ofMillis(MAX_WRITE_BACKOFF_MS / 10), this::deadlineReached);
                }
            }
        } catch (RuntimeException e) {
            log.debug("saga {} reached its deadline but was not aborted: {}", id(), e.getMessage());
        }
    }

    private void armReplyTimeout(Instant timeoutAt) {
        if (timeoutAt == null) {
            return;
        }
        long replyToken = ++token;
        cancel(timeoutTask);
        timeoutTask = orchestrator.later(Duration.between(orchestrator.now(), timeoutAt), () -> onTimeout(replyToken));
    }

    private void scheduleWake(Instant at) {
        cancel(wakeTask);
        long version = instance.version();
        wakeTask = orchestrator.later(Duration.between(orchestrator.now(), at), () -> runAttempt(version));
    }

    private void cancelTimers() {
        cancel(timeoutTask);
        cancel(wakeTask);
        cancel(deadlineTask);
        timeoutTask = null;
        wakeTask = null;
        deadlineTask = null;
    }

    private static void cancel(SagaTimer.Scheduled task) {
        if (task != null) {
            task.cancel();
        }
    }

    // ---------------------------------------------------------------- helpers

    private int currentIndex() {
        List<StepState> steps = instance.steps();
        StepStatus wanted = instance.status() == SagaStatus.COMPENSATING ? StepStatus.COMPENSATING : null;
        for (int i = 0; i < steps.size(); i++) {
            StepStatus status = steps.get(i).status();
            if (wanted != null ? status == wanted : status == StepStatus.RUNNING || status == StepStatus.AWAITING_REPLY) {
                return i;
            }
        }
        throw new IllegalStateException("saga " + instance.id() + " (" + definition.name() + ") is "
                + instance.status() + " but no step is " + (wanted != null ? wanted : "RUNNING") + ": " + steps);
    }

    private boolean pivotSucceeded() {
        int pivot = definition.pivotIndex();
        return pivot >= 0 && instance.steps().get(pivot).status() == StepStatus.SUCCEEDED;
    }

    private boolean sagaDeadlinePassed(Instant now) {
        return instance.deadline() != null && !now.isBefore(instance.deadline()) && !pivotSucceeded();
    }

    /** The next version; {@code steps} becomes its (immutable) step list and must not be touched afterwards. */
    private SagaInstance next(SagaStatus status, StepState[] steps, String error, Instant now, D newData) {
        if (!instance.status().canBecome(status)) {
            throw new IllegalTransitionException("illegal transition " + instance.status() + " -> " + status,
                    definition.name(), instance.id(), null);
        }
        boolean live = status.isLive();
        return new SagaInstance(instance.id(), instance.sagaName(), instance.sagaVersion(), instance.fingerprint(),
                instance.idempotencyKey(), status, SagaData.ofValue(newData, orchestrator.codec()), List.of(steps),
                instance.createdAt(), now, instance.deadline(), live ? orchestrator.nodeId() : null,
                live ? orchestrator.leaseUntil(now) : null, instance.version() + 1, error);
    }

    private HistoryEntry history(Instant at, SagaEventType type, String step, int attempt, String detail) {
        return new HistoryEntry(instance.id(), at, type, step, attempt, detail);
    }

    /**
     * A copy of {@code steps} with one step replaced, as an array: the transition may change another step
     * before {@link #next} turns it into the instance's list with one copy ({@code List.of}, which the
     * instance's {@code List.copyOf} then keeps as it is).
     */
    private StepState[] replace(List<StepState> steps, int index, StepState step) {
        StepState[] copy = steps.toArray(new StepState[0]);
        set(copy, index, step);
        return copy;
    }

    /** Replaces a step's state, checking the step transition table. */
    private void set(StepState[] steps, int index, StepState step) {
        StepStatus from = steps[index].status();
        if (from != step.status() && !from.canBecome(step.status())) {
            throw new IllegalTransitionException("illegal step transition " + from + " -> " + step.status(),
                    definition.name(), instance.id(), step.name());
        }
        steps[index] = step;
    }

    /** {@code entries} and {@code entry} after it, as an immutable list (which the store keeps without copying). */
    private static List<HistoryEntry> plus(List<HistoryEntry> entries, HistoryEntry entry) {
        switch (entries.size()) {
            case 0:
                return List.of(entry);
            case 1:
                return List.of(entries.get(0), entry);
            default:
                HistoryEntry[] all = entries.toArray(new HistoryEntry[entries.size() + 1]);
                all[entries.size()] = entry;
                return List.of(all);
        }
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null ? error.getClass().getName() : error.getClass().getSimpleName() + ": " + message;
    }

    private static Throwable unwrap(Throwable error) {
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

    private static void restoreMdc(String previousStep) {
        if (previousStep == null) {
            MDC.remove(Orchestrator.MDC_STEP);
            MDC.remove(Orchestrator.MDC_SAGA_ID);
            MDC.remove(Orchestrator.MDC_SAGA_NAME);
        } else {
            MDC.put(Orchestrator.MDC_STEP, previousStep);
        }
    }

    enum Commit { WRITTEN, LOST, PENDING }

    private enum Then { NONE, ATTEMPT, WAKE }

    private final class Transition {
        final SagaInstance next;
        final List<HistoryEntry> history;
        final D data;
        final Then then;

        Transition(SagaInstance next, List<HistoryEntry> history, D data, Then then) {
            this.next = next;
            this.history = history;
            this.data = data;
            this.then = then;
        }
    }

    private final class Attempt {
        final long token;
        final int index;
        final boolean compensation;
        final AttemptContext context;
        final D data;
        final long version;

        Attempt(long token, int index, boolean compensation, AttemptContext context, D data, long version) {
            this.token = token;
            this.index = index;
            this.compensation = compensation;
            this.context = context;
            this.data = data;
            this.version = version;
        }
    }

    private static final class PendingReply {
        final SagaReply reply;
        final CompletableFuture<Void> recorded;

        PendingReply(SagaReply reply, CompletableFuture<Void> recorded) {
            this.reply = reply;
            this.recorded = recorded;
        }

        void settle(Commit commit, SagaRun<?> run) {
            if (commit == Commit.WRITTEN) {
                recorded.complete(null);
            } else if (commit == Commit.PENDING) {
                recorded.completeExceptionally(new SagaStoreException("the store is unavailable; the reply for step '"
                        + reply.step() + "' will be recorded when it is back, if this node lives; delivering it again"
                        + " is safe", run.id(), null));
            } else {
                recorded.completeExceptionally(new ReplyRejectedException("reply not applied: the saga was changed"
                        + " by another node", run.definition.name(), run.id(), reply.step()));
            }
        }
    }

    /** A local attempt found, inside its transaction, that it had been overtaken (timeout, abort). */
    private static final class StaleAttempt extends RuntimeException {
        StaleAttempt() {
            super("stale attempt", null, false, false);
        }
    }

    /** A handler broke its contract (returned null); never retried. */
    private static final class NullHandlerResult extends RuntimeException {
        NullHandlerResult(String message) {
            super(message, null, false, false);
        }
    }
}
