package dev.sagaflow.jdbc.internal;

/**
 * Free text as every supported database can store it. PostgreSQL refuses U+0000 in text values (SQLState
 * 22021), which a participant's error message may hold: a write carrying one would be refused for good, so the
 * character is stored as the six characters backslash, {@code u}, {@code 0000} instead. JSON columns need nothing:
 * JSON escapes it.
 * Stateless.
 */
final class Text {
    private static final char NUL = 0;
    /** Backslash, u, 0000: what JSON would write. */
    private static final String ESCAPED = "\\" + "u0000";

    private Text() {
    }

    /** {@code text} with every U+0000 written as backslash-u-0000; {@code null} stays {@code null}. */
    static String storable(String text) {
        return text == null || text.indexOf(NUL) < 0 ? text : text.replace(String.valueOf(NUL), ESCAPED);
    }
}
