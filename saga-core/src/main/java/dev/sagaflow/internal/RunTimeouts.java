package dev.sagaflow.internal;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepStatus;
import dev.sagaflow.internal.RunReplies.Incoming;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What fires when time runs out for one run: an attempt's timeout, a reply's, and the saga's deadline. Each acts
 * only on what it was armed for (the same attempt, the same wait), under the run's lock; one that fires while a
 * write is pending is put off until the write has landed.
 */
final class RunTimeouts<D> {
    private static final Logger log = LoggerFactory.getLogger(RunTimeouts.class);

    private final SagaRun<D> run;
    private final RunHost host;
    private final Timers timers;

    RunTimeouts(SagaRun<D> run, RunHost host, Timers timers) {
        this.run = run;
        this.host = host;
        this.timers = timers;
    }

    /** Arms {@code attempt}'s timeout for {@code delay}. */
    void arm(Attempt<D> attempt, Duration delay) {
        timers.attemptTimeout(attempt.index(), delay, () -> attemptTimedOut(attempt));
    }

    /** Arms the timeout of step {@code index}'s wait for a reply, for {@code at}. */
    void armReply(int index, Instant at) {
        timers.replyTimeout(index, at, () -> replyTimedOut(index, at));
    }

    private void attemptTimedOut(Attempt<D> attempt) {
        Runnable next;
        synchronized (run) {
            if (!run.isCurrent(attempt)) {
                return;
            }
            if (run.pending() != null) {
                timers.attemptTimeout(attempt.index(), host.storeBackoff().initialDelay(),
                        () -> attemptTimedOut(attempt));
                return;
            }
            run.attempts().overtake(attempt);
            next = run.outcomes().timedOut(attempt.index(), attempt.compensation());
        }
        SagaRun.run(next);
    }

    private void replyTimedOut(int index, Instant armedFor) {
        Runnable next;
        synchronized (run) {
            SagaInstance instance = run.instance();
            StepState step = instance.steps().get(index);
            if (run.isDone() || step.status() != StepStatus.AWAITING_REPLY || !armedFor.equals(step.wakeAt())) {
                return;
            }
            if (run.pending() != null) {
                timers.attemptTimeout(index, host.storeBackoff().initialDelay(), () -> replyTimedOut(index, armedFor));
                return;
            }
            timers.cancelTimeout(index);
            RecordedReply recorded = run.replies().recordedQuietly(instance.id(), step.name());
            // A reply recorded before the timeout fired wins over it.
            next = recorded != null ? run.replies().apply(index, new Incoming(recorded, null))
                    : run.outcomes().timedOut(index, false);
        }
        SagaRun.run(next);
    }

    /** Arms the saga's deadline, if it has one that still applies and is not armed. Under the run's lock. */
    void armDeadline() {
        SagaInstance instance = run.instance();
        Instant deadline = instance.deadline();
        if (deadline == null || timers.hasDeadline() || instance.status() != SagaStatus.RUNNING
                || InstanceStates.pivotSucceeded(run.definition(), instance)) {
            return;
        }
        timers.deadline(Duration.between(host.now(), deadline), this::deadlineReached);
    }

    private void deadlineReached() {
        try {
            run.abort("saga deadline " + run.instance().deadline() + " exceeded");
        } catch (SagaStoreException e) {
            synchronized (run) {
                if (!run.isDone()) {
                    timers.deadline(host.storeBackoff().initialDelay(), this::deadlineReached);
                }
            }
        } catch (RuntimeException e) {
            log.debug("saga {} reached its deadline but was not aborted: {}", run.id(), e.getMessage());
        }
    }
}
