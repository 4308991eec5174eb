package dev.sagaflow.messaging.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Pauses that double from an initial one up to a maximum, each with jitter (half to all of it). Not thread-safe. */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private int failures;

    Backoff(Duration initial, Duration max) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** The pause after one more failure. */
    long nextNanos() {
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
    int failures() {
        return failures;
    }

    void reset() {
        failures = 0;
    }
}
