package dev.sagaflow.console.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters of a query string or an {@code application/x-www-form-urlencoded} body: the first value of
 * each name. Immutable.
 */
public final class Params {
    private static final Params NONE = new Params(Map.of());
    private final Map<String, String> values;

    private Params(Map<String, String> values) {
        this.values = values;
    }

    /** The parameters of {@code encoded} ({@code a=1&b=x%20y}); {@code null} gives none. Malformed escapes are kept as text. */
    public static Params parse(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return NONE;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            values.putIfAbsent(name, value);
        }
        return new Params(Map.copyOf(values));
    }

    /** The value of {@code name}, trimmed, or {@code null} when absent or blank. */
    public String get(String name) {
        String value = values.get(name);
        if (value == null) {
            return null;
        }
        String trimmed = value.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** Decodes one percent-encoded component ({@code +} is a space). */
    public static String decode(String component) {
        try {
            return URLDecoder.decode(component, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return component;
        }
    }

    /** Encodes one query parameter value or path segment (spaces as {@code %20}). */
    public static String encode(String component) {
        return java.net.URLEncoder.encode(component, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
