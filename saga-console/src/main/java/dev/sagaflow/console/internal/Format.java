package dev.sagaflow.console.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the console writes times and durations. Stateless. */
public final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** {@code 2026-12-02 04:22:45.123 UTC}, or an empty string for {@code null}. */
    public static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    /** A duration for people: {@code 850 ms}, {@code 1.2 s}, {@code 3 min 5 s}, {@code 2 h 4 min}, {@code 3 d 1 h}. */
    public static String duration(Duration duration) {
        long millis = Math.max(0, duration.toMillis());
        if (millis < 1_000) {
            return millis + " ms";
        }
        if (millis < 10_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = millis / 1000;
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return two(seconds / 60, "min", seconds % 60, "s");
        }
        if (seconds < 86_400) {
            return two(seconds / 3600, "h", seconds % 3600 / 60, "min");
        }
        return two(seconds / 86_400, "d", seconds % 86_400 / 3600, "h");
    }

    /** How long ago {@code instant} was, seen at {@code now}: {@code 3 min 5 s ago}. */
    public static String ago(Instant instant, Instant now) {
        return duration(Duration.between(instant, now)) + " ago";
    }

    private static String two(long major, String majorUnit, long minor, String minorUnit) {
        return minor == 0 ? major + " " + majorUnit : major + " " + majorUnit + " " + minor + " " + minorUnit;
    }
}
