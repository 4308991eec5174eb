package dev.sagaflow.console.internal;

import dev.sagaflow.SagaStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The filters of the list page, read from its query string: saga name, status, minimum age (started more
 * than ... ago), minimum idle time (no write for ...), idempotency key, instance id, and the paging cursor.
 * Values that cannot be read are dropped and named in {@link #problems()}. Immutable.
 *
 * @param name only this saga, or {@code null}
 * @param status only this status, or {@code null}
 * @param age only instances started at least this long ago (one of {@link #DURATIONS}), or {@code null}
 * @param idle only instances not written for at least this long (one of {@link #DURATIONS}), or {@code null}
 * @param idempotencyKey only the instance started with this key, or {@code null}
 * @param id only this instance, or {@code null}
 * @param after the page starts after this instance, or {@code null} for the first page
 * @param problems what could not be read, for the page to say
 */
public record ListFilter(String name, SagaStatus status, Duration age, Duration idle, String idempotencyKey,
        String id, Cursor after, List<String> problems) {

    /** The durations offered for age and idle time, by their parameter value. */
    public static final Map<String, Duration> DURATIONS = durations();

    private static final int MAX_TEXT = 500;

    public ListFilter {
        problems = List.copyOf(problems);
    }

    /** No filter: every instance, first page. */
    public static ListFilter none() {
        return new ListFilter(null, null, null, null, null, null, null, List.of());
    }

    /** The filters in {@code params}. */
    public static ListFilter parse(Params params) {
        List<String> problems = new ArrayList<>();
        String name = text(params, "name", problems);
        SagaStatus status = null;
        String statusText = params.get("status");
        if (statusText != null) {
            try {
                status = SagaStatus.valueOf(statusText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("status");
            }
        }
        Duration age = duration(params, "age", problems);
        Duration idle = duration(params, "idle", problems);
        String key = text(params, "key", problems);
        String id = text(params, "id", problems);
        Cursor after = null;
        String cursorText = params.get("after");
        if (cursorText != null) {
            after = Cursor.parse(cursorText);
            if (after == null) {
                problems.add("after");
            }
        }
        return new ListFilter(name, status, age, idle, key, id, after, problems);
    }

    /** This filter, on the page that starts after {@code cursor}. */
    public ListFilter startingAfter(Cursor cursor) {
        return new ListFilter(name, status, age, idle, idempotencyKey, id, cursor, problems);
    }

    /** This filter's query string (without {@code ?}), for links; empty when nothing is set. */
    public String queryString() {
        StringJoiner query = new StringJoiner("&");
        add(query, "name", name);
        add(query, "status", status == null ? null : status.name());
        add(query, "age", label(age));
        add(query, "idle", label(idle));
        add(query, "key", idempotencyKey);
        add(query, "id", id);
        add(query, "after", after == null ? null : after.toString());
        return query.toString();
    }

    /** Whether no filter (other than the page) is set. */
    public boolean isEmpty() {
        return name == null && status == null && age == null && idle == null && idempotencyKey == null && id == null;
    }

    /** The parameter value of a duration offered in {@link #DURATIONS}, or {@code null}. */
    public static String label(Duration duration) {
        if (duration == null) {
            return null;
        }
        return DURATIONS.entrySet().stream().filter(e -> e.getValue().equals(duration)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    private static void add(StringJoiner query, String key, String value) {
        if (value != null) {
            query.add(key + "=" + Params.encode(value));
        }
    }

    private static String text(Params params, String key, List<String> problems) {
        String value = params.get(key);
        if (value != null && value.length() > MAX_TEXT) {
            problems.add(key);
            return null;
        }
        return value;
    }

    private static Duration duration(Params params, String key, List<String> problems) {
        String value = params.get(key);
        if (value == null) {
            return null;
        }
        Duration duration = DURATIONS.get(value);
        if (duration == null) {
            problems.add(key);
        }
        return duration;
    }

    private static Map<String, Duration> durations() {
        Map<String, Duration> map = new LinkedHashMap<>();
        map.put("5m", Duration.ofMinutes(5));
        map.put("15m", Duration.ofMinutes(15));
        map.put("1h", Duration.ofHours(1));
        map.put("6h", Duration.ofHours(6));
        map.put("1d", Duration.ofDays(1));
        map.put("7d", Duration.ofDays(7));
        map.put("30d", Duration.ofDays(30));
        return java.util.Collections.unmodifiableMap(map);
    }

    /**
     * Where a page of the list starts: after the instance created at {@code createdAt} with {@code id}, in
     * the store's result order (oldest first, then by id).
     */
    public record Cursor(Instant createdAt, String id) {
        /** The cursor written by {@link #toString()}, or {@code null} if {@code text} is not one. */
        static Cursor parse(String text) {
            int bar = text.indexOf('|');
            if (bar < 0 || bar == text.length() - 1) {
                return null;
            }
            try {
                return new Cursor(Instant.parse(text.substring(0, bar)), text.substring(bar + 1));
            } catch (DateTimeParseException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return createdAt + "|" + id;
        }
    }
}
