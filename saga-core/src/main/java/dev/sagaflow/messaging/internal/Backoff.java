package dev.sagaflow.messaging.internal;

import dev.sagaflow.internal.Checks;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pauses that double from an initial one up to a maximum, each with jitter (half to all of it), for the relay and
 * the broker modules' reconnections. Not thread-safe.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private int failures;

    /**
     * Checks a backoff setting: both positive and bounded, {@code max >= initial}.
     *
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public static void check(Duration initial, Duration max) {
        Checks.positiveBounded(initial, "initial backoff");
        Checks.positiveBounded(max, "max backoff");
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff must be >= initial backoff, was " + max + " < " + initial);
        }
    }

    /** Pauses from {@code initial} doubling up to {@code max}; see {@link #check}. */
    public Backoff(Duration initial, Duration max) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** The pause after one more failure. */
    public long nextNanos() {
        long pause = initialNanos;
        for (int i = 0; i < failures && pause < maxNanos; i++) {
            pause *= 2;
        }
        failures++;
        pause = Math.min(pause, maxNanos);
        // Jitter, so that relays that failed together do not come back together.
        return pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
    }

    /** How many failures in a row were counted since the last {@link #reset()}. */
    public int failures() {
        return failures;
    }

    /** Starts again from the initial pause. */
    public void reset() {
        failures = 0;
    }
}
