package dev.sagaflow.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The small JSON writer and reader behind the store's own columns ({@code steps}, history
 * {@code entries}): written by hand because every write encodes them, read through Jackson's tree
 * because only recovery, queries and operators read them. Stateless and thread-safe.
 */
final class JsonText {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /** Appends {@code value} as a JSON string, or {@code null}. */
    static void appendString(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * The JSON array in {@code text}.
     *
     * @throws IllegalArgumentException naming {@code what} if {@code text} is not a JSON array
     */
    static JsonNode array(String text, String what) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " are not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(what + " are not a JSON array: " + abbreviate(text));
        }
        return node;
    }

    /** Element {@code index} of {@code array} as text; {@code null} when absent or JSON null. */
    static String text(JsonNode array, int index) {
        JsonNode value = array.get(index);
        return value == null || value.isNull() ? null : value.asText();
    }

    /**
     * Element {@code index} of {@code array} as a whole number; {@code absent} when absent or JSON null.
     *
     * @throws IllegalArgumentException if it is there but not a whole number
     */
    static long number(JsonNode array, int index, String name, long absent) {
        JsonNode value = array.get(index);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(name + " is not a whole number: " + value);
        }
        return value.asLong();
    }

    static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
