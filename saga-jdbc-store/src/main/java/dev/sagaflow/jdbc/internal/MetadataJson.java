package dev.sagaflow.jdbc.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/**
 * The {@code metadata} column and the outbox's {@code headers}: a JSON object of strings, or SQL NULL for an
 * empty metadata map. Thread-safe.
 */
final class MetadataJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };

    private MetadataJson() {
    }

    /** {@code attributes} as a JSON object, or {@code null} when empty. */
    static String encode(Map<String, String> attributes) {
        return attributes.isEmpty() ? null : encodeObject(attributes);
    }

    /** {@code attributes} as a JSON object, {@code {}} when empty. */
    static String encodeObject(Map<String, String> attributes) {
        try {
            return MAPPER.writeValueAsString(attributes);
        } catch (IOException e) {
            throw new IllegalStateException("a map of strings cannot fail to serialise: " + e, e);
        }
    }

    /**
     * The attributes in {@code json}; empty for {@code null}.
     *
     * @throws IllegalArgumentException if {@code json} is not a JSON object of strings
     */
    static Map<String, String> decode(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return MAPPER.readValue(json, MAP);
        } catch (IOException e) {
            throw new IllegalArgumentException("metadata is not a JSON object of strings: " + e.getMessage(), e);
        }
    }
}
