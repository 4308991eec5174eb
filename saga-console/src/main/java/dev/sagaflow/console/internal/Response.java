package dev.sagaflow.console.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the console answers: a status, headers and a body. The security headers every response carries are
 * added by {@link ConsoleEngine}. Immutable.
 *
 * @param status the HTTP status
 * @param headers header names to values, in order
 * @param body the body; empty for a redirect
 */
public record Response(int status, Map<String, String> headers, byte[] body) {

    public Response {
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** An HTML page. */
    public static Response html(int status, String page) {
        return new Response(status, Map.of("Content-Type", "text/html; charset=utf-8"),
                page.getBytes(StandardCharsets.UTF_8));
    }

    /** A plain-text answer (for requests that get no page, such as a refused one). */
    public static Response text(int status, String text) {
        return new Response(status, Map.of("Content-Type", "text/plain; charset=utf-8"),
                text.getBytes(StandardCharsets.UTF_8));
    }

    /** A 303 redirect to {@code location} (a path on this server), after a POST. */
    public static Response seeOther(String location) {
        return new Response(303, Map.of("Location", location), new byte[0]);
    }

    /** A copy with one more header. */
    public Response withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Response(status, more, body);
    }

    /** The body as text, for tests. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
