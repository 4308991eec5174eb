package dev.sagaflow.faults;

import dev.sagaflow.internal.SystemTimer;
import dev.sagaflow.spi.SagaTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default system timer, counting the tasks that are scheduled and have neither run nor been
 * cancelled: a timer leak shows up as a count that grows with the number of sagas. Thread-safe.
 */
public final class CountingTimer implements SagaTimer, AutoCloseable {
    private final SystemTimer delegate = new SystemTimer();
    private final AtomicInteger pending = new AtomicInteger();

    @Override
    public Instant now() {
        return delegate.now();
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        AtomicBoolean settled = new AtomicBoolean();
        pending.incrementAndGet();
        Scheduled scheduled = delegate.schedule(delay, () -> {
            if (settled.compareAndSet(false, true)) {
                pending.decrementAndGet();
            }
            task.run();
        });
        return () -> {
            if (settled.compareAndSet(false, true)) {
                pending.decrementAndGet();
            }
            scheduled.cancel();
        };
    }

    /** Tasks scheduled that have neither run nor been cancelled. */
    public int pending() {
        return pending.get();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
