package dev.sagaflow.internal;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.internal.Transitions.ProbeCause;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The attempts one run has under way, at most one per step (several in a parallel group): made with their context
 * and timeout, ended when their outcome is recorded, and overtaken when their step moved on without them (a
 * timeout, an abort, a failed sibling branch), in which case a synchronous handler may still return for a while.
 * Changed under the run's lock; {@link #busy()} may be read without it.
 */
final class RunAttempts<D> {
    private final SagaRun<D> run;
    private final RunHost host;
    private final RegisteredSaga<D> saga;
    private final SagaDefinition<D> definition;
    private final Timers timers;
    // Concurrent so that close() can look without the lock, which a write that hangs in the store may hold.
    private final Map<Integer, Attempt<D>> running = new ConcurrentHashMap<>(2);

    RunAttempts(SagaRun<D> run, RunHost host, RegisteredSaga<D> saga, Timers timers) {
        this.run = run;
        this.host = host;
        this.saga = saga;
        this.definition = saga.definition();
        this.timers = timers;
    }

    /** Makes step {@code index}'s next attempt (or its probe before compensating) and arms its timeout. */
    Attempt<D> start(int index, boolean compensating, ProbeCause probe, Instant now, RunTimeouts<D> timeouts) {
        StepDefinition<D> step = saga.step(index);
        Instant timeoutAt = probe == null ? step.timeout().map(now::plus).orElse(null) : null;
        Attempt<D> attempt = new Attempt<>(0, index, compensating, context(index, compensating, timeoutAt), run.data(),
                run.instance().version(), timeoutAt, saga.handler(index, compensating), step.isLocal() && probe == null,
                probe == null ? step.command(compensating) : null, probe, null);
        running.put(index, attempt);
        if (timeoutAt != null) {
            timeouts.arm(attempt, Duration.between(now, timeoutAt));
        }
        return attempt;
    }

    /** Makes an attempt that asks step {@code index}'s probe whether the action took effect. */
    Attempt<D> probe(int index, ProbeCause cause, Throwable timeout) {
        Attempt<D> probe = new Attempt<>(0, index, false, context(index, false, null), run.data(),
                run.instance().version(), null, null, false, null, cause, timeout);
        running.put(index, probe);
        return probe;
    }

    /** The context an attempt at step {@code index} sees: its deadline is the saga's if that comes first. */
    AttemptContext context(int index, boolean compensating, Instant timeoutAt) {
        SagaInstance instance = run.instance();
        StepState step = instance.steps().get(index);
        Instant deadline = timeoutAt;
        if (!compensating && instance.deadline() != null && !InstanceStates.pivotSucceeded(definition, instance)
                && (deadline == null || instance.deadline().isBefore(deadline))) {
            deadline = instance.deadline();
        }
        int number = compensating ? step.compensationAttempts() : step.attempts();
        return new AttemptContext(instance.id(), definition.name(), step.name(), number, compensating, deadline, null,
                instance.metadata(), Map.of());
    }

    /** Whether {@code attempt} is still step's current attempt here. */
    boolean isCurrent(Attempt<D> attempt) {
        return running.get(attempt.index()) == attempt;
    }

    boolean isRunning(int index) {
        return running.containsKey(index);
    }

    boolean isEmpty() {
        return running.isEmpty();
    }

    /** The steps whose attempts run here. */
    Set<Integer> indexes() {
        return running.keySet();
    }

    /** An attempt ended: it no longer runs, and its timeout is moot. */
    void end(Attempt<D> attempt) {
        running.remove(attempt.index());
        timers.cancelTimeout(attempt.index());
        host.attemptFinished();
    }

    /** A timed-out attempt is given up: it no longer counts as running, but may still return (its grace). */
    void overtake(Attempt<D> attempt) {
        attempt.giveUp();
        running.remove(attempt.index());
        host.attemptFinished();
        timers.overtake(attempt, host.now().plus(host.timeoutGrace()));
    }

    /** Attempts still running for steps a transition from {@code before} gave up are overtaken. */
    void overtakeGivenUp(SagaInstance before, SagaInstance after) {
        if (running.isEmpty()) {
            return;
        }
        for (Attempt<D> attempt : List.copyOf(running.values())) {
            StepState now = after.steps().get(attempt.index());
            StepState then = before.steps().get(attempt.index());
            boolean stillItsTurn = now.status() == then.status() && now.attempts() == then.attempts()
                    && now.compensationAttempts() == then.compensationAttempts();
            if (!stillItsTurn || !after.status().isLive()) {
                timers.cancelTimeout(attempt.index());
                overtake(attempt);
            }
        }
    }

    /**
     * Whether a handler runs, or a timed-out one has not returned yet. A compensation that waits for a child saga
     * to be undone runs no handler. Safe without the lock.
     */
    boolean busy() {
        return running.values().stream().anyMatch(attempt -> !attempt.waitingForChild()) || timers.hasOvertaken();
    }
}
