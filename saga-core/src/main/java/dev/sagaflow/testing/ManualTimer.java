package dev.sagaflow.testing;

import dev.sagaflow.spi.SagaTimer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A settable clock for tests: time stands still until {@link #advance(Duration)} moves it, and
 * scheduled tasks (retries, timeouts, lease renewal, polling) run, in due order and on the calling
 * thread, as the clock passes their due time. Thread-safe.
 */
public final class ManualTimer implements SagaTimer {
    private static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private Instant now;
    private long sequence;

    /** A timer whose clock starts at 2030-01-01T00:00:00Z. */
    public ManualTimer() {
        this(DEFAULT_START);
    }

    /** A timer whose clock starts at {@code start}. */
    public ManualTimer(Instant start) {
        if (start == null) {
            throw new IllegalArgumentException("start cannot be null");
        }
        this.now = start;
    }

    /** {@code true}: tasks run on the thread that moves the clock. */
    @Override
    public boolean deterministic() {
        return true;
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized Scheduled schedule(Duration delay, Runnable task) {
        Task scheduled = new Task(now.plus(delay.isNegative() ? Duration.ZERO : delay), sequence++, task);
        tasks.add(scheduled);
        return () -> {
            synchronized (ManualTimer.this) {
                tasks.remove(scheduled);
            }
        };
    }

    /**
     * Moves the clock forward by {@code duration}, running every task that falls due on the way, each
     * with the clock set to its due time; tasks those tasks schedule run too if they fall due in time.
     */
    public void advance(Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("duration must be >= 0, was " + duration);
        }
        Instant target;
        synchronized (this) {
            target = now.plus(duration);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due.isAfter(target)) {
                    now = target;
                    return;
                }
                tasks.poll();
                if (next.due.isAfter(now)) {
                    now = next.due;
                }
            }
            next.task.run();
        }
    }

    /**
     * This timer's clock as a {@link Clock} (in UTC), for a store that should measure leases on the test's time:
     * {@code InMemorySagaStore.builder().clock(timer.clock())}.
     */
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException("a ManualTimer's clock is in UTC");
            }

            @Override
            public Instant instant() {
                return now();
            }

            @Override
            public String toString() {
                return "clock of " + ManualTimer.this;
            }
        };
    }

    /**
     * Moves the clock forward by {@code duration} without running the tasks that fall due on the way, as when a
     * process is paused (a long garbage collection, a frozen VM): they run, oldest first, at the next
     * {@link #advance(Duration)} or {@link #runDue()}. Safe to call from inside a task.
     */
    public synchronized void stall(Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("duration must be >= 0, was " + duration);
        }
        now = now.plus(duration);
    }

    /** Runs the tasks that are due now, without moving the clock. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** How many tasks wait to run. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    /** When the tasks that wait are due, earliest first. */
    public synchronized List<Instant> dueTimes() {
        List<Task> sorted = new ArrayList<>(tasks);
        sorted.sort(null);
        return sorted.stream().map(t -> t.due).toList();
    }

    @Override
    public synchronized String toString() {
        return "ManualTimer[now=" + now + ", pending=" + tasks.size() + "]";
    }

    private record Task(Instant due, long sequence, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task other) {
            int byDue = due.compareTo(other.due);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }
    }
}
