package dev.sagaflow.internal;

import dev.sagaflow.spi.SagaTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The timers of one run, per step (an attempt's timeout or a reply's, the next attempt's wake-up) and for the
 * saga (its deadline), and the attempts that were given up (timed out, overtaken) while their synchronous handler
 * still ran. Guarded by the run's lock.
 */
final class Timers {
    private final RunHost host;
    private final Map<Integer, SagaTimer.Scheduled> timeouts = new HashMap<>(2);
    private final Map<Integer, Instant> replyTimeouts = new HashMap<>(2);
    private final Map<Integer, SagaTimer.Scheduled> wakes = new HashMap<>(2);
    private final Map<Integer, Instant> wakeTimes = new HashMap<>(2);
    private SagaTimer.Scheduled deadline;
    /** Overtaken attempts still inside a synchronous handler, with the end of their grace period. */
    private final List<Overtaken> overtaken = new CopyOnWriteArrayList<>();

    private record Overtaken(Attempt<?> attempt, Instant graceEnd) {
    }

    Timers(RunHost host) {
        this.host = host;
    }

    /** Arms step {@code index}'s attempt timeout (replacing any). */
    void attemptTimeout(int index, Duration delay, Runnable task) {
        cancelTimeout(index);
        timeouts.put(index, host.later(delay, task));
    }

    /** Arms step {@code index}'s reply timeout for {@code at}, unless it is armed for that time already. */
    boolean replyTimeout(int index, Instant at, Runnable task) {
        if (at.equals(replyTimeouts.get(index)) && timeouts.containsKey(index)) {
            return false;
        }
        attemptTimeout(index, Duration.between(host.now(), at), task);
        replyTimeouts.put(index, at);
        return true;
    }

    void cancelTimeout(int index) {
        cancel(timeouts.remove(index));
        replyTimeouts.remove(index);
    }

    /** Schedules step {@code index}'s next attempt for {@code at}, unless it is scheduled for that time already. */
    void wake(int index, Instant at, Runnable task) {
        if (at.equals(wakeTimes.get(index)) && wakes.containsKey(index)) {
            return;
        }
        cancelWake(index);
        wakes.put(index, host.later(Duration.between(host.now(), at), task));
        wakeTimes.put(index, at);
    }

    /** Runs {@code task} for step {@code index} after {@code delay} (a retry after a store failure, a grace). */
    void wakeAfter(int index, Duration delay, Runnable task) {
        cancelWake(index);
        wakes.put(index, host.later(delay, task));
    }

    void cancelWake(int index) {
        cancel(wakes.remove(index));
        wakeTimes.remove(index);
    }

    void deadline(Duration delay, Runnable task) {
        cancel(deadline);
        deadline = host.later(delay, task);
    }

    boolean hasDeadline() {
        return deadline != null;
    }

    void cancelAll() {
        timeouts.values().forEach(Timers::cancel);
        wakes.values().forEach(Timers::cancel);
        timeouts.clear();
        replyTimeouts.clear();
        wakes.clear();
        wakeTimes.clear();
        cancel(deadline);
        deadline = null;
    }

    /**
     * Gives up {@code attempt} (its timeout fired, the saga was aborted, a sibling branch failed): interrupts its
     * synchronous handler if it still runs, and remembers it until it returns or {@code graceEnd} passes.
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
