package dev.sagaflow.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A store's clock (what a database's clock is in production) that reads whatever source a test points it at:
 * in a test where nodes live one after another on manual clocks, the store's time is the live node's time, so
 * that a lease written by a dead node runs out when the next node's clock passes it. Thread-safe.
 */
public final class FollowingClock extends Clock {
    private volatile Supplier<Instant> source;

    public FollowingClock(Instant start) {
        Objects.requireNonNull(start, "start cannot be null");
        this.source = () -> start;
    }

    /** From now on, reads {@code time}. */
    public void follow(Supplier<Instant> time) {
        this.source = Objects.requireNonNull(time, "time cannot be null");
    }

    @Override
    public Instant instant() {
        return source.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a following clock is in UTC");
    }
}
