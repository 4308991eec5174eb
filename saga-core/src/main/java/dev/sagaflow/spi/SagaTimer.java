package dev.sagaflow.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * The runtime's clock and scheduler: retries, timeouts, lease renewal and polling all go through
 * it, so no thread sleeps. The default uses the system clock and one daemon thread; the test kit's
 * {@code ManualTimer} runs tasks when a test moves its clock. Implementations must be thread-safe;
 * tasks must be run at or after their due time, and may run on any thread.
 */
public interface SagaTimer {
    /** The current time. */
    Instant now();

    /** Runs {@code task} once after {@code delay}. */
    Scheduled schedule(Duration delay, Runnable task);

    /**
     * Whether tasks run only when a test moves the clock, on the thread that moves it (the test kit's
     * {@code ManualTimer}). The runtime then does its blocking background work (lease renewal) on that thread
     * too, so that a test runs the same way every time; with any other timer it uses a thread of its own for it,
     * never the timer's. Default {@code false}.
     */
    default boolean deterministic() {
        return false;
    }

    /** A task that may still be cancelled. */
    @FunctionalInterface
    interface Scheduled {
        /** Makes sure the task does not run, if it has not started yet. Idempotent. */
        void cancel();
    }
}
