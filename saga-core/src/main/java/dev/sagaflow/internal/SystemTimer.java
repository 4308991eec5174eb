package dev.sagaflow.internal;

import dev.sagaflow.spi.SagaTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default timer: the system clock and one named daemon thread. Tasks must be short: they hand
 * work off to the executor, except lease renewal (one statement), which runs here.
 */
public final class SystemTimer implements SagaTimer, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemTimer.class);
    private final ScheduledThreadPoolExecutor scheduler;

    public SystemTimer() {
        scheduler = new ScheduledThreadPoolExecutor(1, NamedThreads.factory("sagaflow-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> future = scheduler.schedule(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                log.error("timer task failed", t);
            }
        }, Math.max(0L, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
