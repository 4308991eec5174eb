package dev.sagaflow.internal;

import java.time.Duration;

/** Uniform argument checks: {@code IllegalArgumentException} with "name cannot be null" style messages. */
public final class Checks {
    /** The longest duration any setting accepts: long enough for any saga, short enough never to overflow. */
    public static final Duration MAX_DURATION = Duration.ofDays(3650);

    private Checks() {
    }

    public static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " cannot be null");
        }
        return value;
    }

    public static String notBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " cannot be null or blank");
        }
        return value;
    }

    public static Duration notNegative(Duration value, String name) {
        notNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
        return value;
    }

    public static Duration positive(Duration value, String name) {
        notNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
        return value;
    }

    public static Duration atMost(Duration value, Duration max, String name) {
        notNull(value, name);
        if (value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + max + ", was " + value);
        }
        return value;
    }

    /** A positive duration of at most {@link #MAX_DURATION}, so that adding it to any instant never overflows. */
    public static Duration positiveBounded(Duration value, String name) {
        return atMost(positive(value, name), MAX_DURATION, name);
    }

    /** A length of text that a store column holds: 1 to {@code max} characters, without U+0000. */
    public static String name(String value, int max, String what) {
        notBlank(value, what);
        if (value.length() > max) {
            throw new IllegalArgumentException(what + " must be at most " + max + " characters, was " + value.length()
                    + ": '" + value.substring(0, Math.min(40, value.length())) + "...'");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " cannot contain the character U+0000: '"
                    + value.replace('\0', '?') + "'");
        }
        return value;
    }

    public static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }
}
