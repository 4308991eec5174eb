package dev.sagaflow.jdbc.internal;

/**
 * Free text as every supported database can store it. PostgreSQL refuses U+0000 in text values (SQLState
 * 22021), which a participant's error message may hold: a write carrying one would be refused for good, so the
 * character is stored as the six characters {@code \u0000} instead. JSON columns need nothing: JSON escapes it.
 * Stateless.
 */
final class Text {

    private Text() {
    }

    /** {@code text} with every U+0000 written as {@code \u0000}; {@code null} stays {@code null}. */
    static String storable(String text) {
        return text == null || text.indexOf('\u0000') < 0 ? text : text.replace("\u0000", "\\u0000");
    }
}
