package dev.sagaflow.internal;

import dev.sagaflow.spi.SagaTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The timers of one run (the current attempt's timeout, the next attempt's wake-up, the saga's deadline) and
 * the attempts that were given up (timed out, aborted) while their synchronous handler still ran. Guarded by
 * the run's lock.
 */
final class Timers {
    private final RunHost host;
    private SagaTimer.Scheduled timeout;
    private SagaTimer.Scheduled wake;
    private SagaTimer.Scheduled deadline;
    /** Overtaken attempts still inside a synchronous handler, with the end of their grace period. */
    private final List<Overtaken> overtaken = new ArrayList<>(0);

    private record Overtaken(Attempt<?> attempt, Instant graceEnd) {
    }

    Timers(RunHost host) {
        this.host = host;
    }

    void attemptTimeout(Duration delay, Runnable task) {
        cancel(timeout);
        timeout = host.later(delay, task);
    }

    void cancelAttemptTimeout() {
        cancel(timeout);
        timeout = null;
    }

    void wake(Duration delay, Runnable task) {
        cancel(wake);
        wake = host.later(delay, task);
    }

    void cancelWake() {
        cancel(wake);
        wake = null;
    }

    void deadline(Duration delay, Runnable task) {
        cancel(deadline);
        deadline = host.later(delay, task);
    }

    boolean hasDeadline() {
        return deadline != null;
    }

    void cancelAll() {
        cancelAttemptTimeout();
        cancelWake();
        cancel(deadline);
        deadline = null;
    }

    /**
     * Gives up {@code attempt} (its timeout fired, or the saga was aborted): interrupts its synchronous handler
     * if it still runs, and remembers it until it returns or {@code graceEnd} passes.
     */
    void overtake(Attempt<?> attempt, Instant graceEnd) {
        if (attempt.interruptIfRunning() && !attempt.hasReturned()) {
            overtaken.add(new Overtaken(attempt, graceEnd));
        }
    }

    /** The attempt returned; returns whether a later attempt may have waited for it. */
    boolean overtakenReturned(Attempt<?> attempt) {
        return overtaken.removeIf(o -> o.attempt() == attempt);
    }

    boolean hasOvertaken() {
        return !overtaken.isEmpty();
    }

    /**
     * When the grace period of an overtaken attempt at step {@code index} that still runs ends, if it has not
     * ended by {@code now}; {@code null} when no such attempt holds the step up.
     */
    Instant graceEnd(int index, Instant now) {
        Instant latest = null;
        for (Overtaken o : overtaken) {
            if (o.attempt().index() == index && !o.attempt().hasReturned() && o.graceEnd().isAfter(now)
                    && (latest == null || o.graceEnd().isAfter(latest))) {
                latest = o.graceEnd();
            }
        }
        return latest;
    }

    private static void cancel(SagaTimer.Scheduled task) {
        if (task != null) {
            task.cancel();
        }
    }
}
