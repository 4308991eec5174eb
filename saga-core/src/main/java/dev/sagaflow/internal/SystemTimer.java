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
 * work off to the executor, except lease renewal, which is one statement and must not wait behind steps.
 */
public final class SystemTimer implements SagaTimer, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemTimer.class);
    private final ScheduledThreadPoolExecutor scheduler;
    /**
     * The last reading, reused while the millisecond lasts: the runtime reads the clock several times per
     * transition. Read and written without a lock; an {@code Instant} is immutable, so a thread sees either
     * an older reading (and makes a new one) or a complete one.
     */
    private Instant last = Instant.EPOCH;

    public SystemTimer() {
        scheduler = new ScheduledThreadPoolExecutor(1, NamedThreads.factory("sagaflow-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** The system clock to the millisecond (the precision the runtime keeps), one object per millisecond. */
    @Override
    public Instant now() {
        long millis = System.currentTimeMillis();
        Instant cached = last;
        if (cached.toEpochMilli() == millis) {
            return cached;
        }
        Instant fresh = Instant.ofEpochMilli(millis);
        last = fresh;
        return fresh;
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
