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

    /** A task that may still be cancelled. */
    @FunctionalInterface
    interface Scheduled {
        /** Makes sure the task does not run, if it has not started yet. Idempotent. */
        void cancel();
    }
}
