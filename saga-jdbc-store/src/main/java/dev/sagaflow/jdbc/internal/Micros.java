package dev.sagaflow.jdbc.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Instants as stored in timestamp columns: microseconds since 1970-01-01T00:00:00Z in a
 * {@code BIGINT}, which needs no time zone and compares correctly in SQL. Finer digits are cut off
 * (towards the past), so an instant with at most microsecond precision round-trips exactly.
 */
public final class Micros {
    private static final long PER_SECOND = 1_000_000L;

    private Micros() {
    }

    /**
     * The instant in microseconds since the epoch.
     *
     * @throws IllegalArgumentException if it lies outside about ±292,000 years
     */
    public static long of(Instant instant) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), PER_SECOND), instant.getNano() / 1_000L);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("instant " + instant + " is too far from 1970 to be stored", e);
        }
    }

    /**
     * The duration in microseconds.
     *
     * @throws IllegalArgumentException if it is longer than about 292,000 years
     */
    public static long of(Duration duration) {
        try {
            return Math.addExact(Math.multiplyExact(duration.getSeconds(), PER_SECOND), duration.getNano() / 1_000L);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration " + duration + " is too long to be stored", e);
        }
    }

    /** The instant {@code micros} microseconds after the epoch. */
    public static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, PER_SECOND), Math.floorMod(micros, PER_SECOND) * 1_000L);
    }

    /** {@code instant} cut to whole microseconds: what reading it back returns; {@code null} stays {@code null}. */
    public static Instant truncate(Instant instant) {
        return instant == null ? null : toInstant(of(instant));
    }
}
