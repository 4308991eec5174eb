package dev.sagaflow.console.internal;

import dev.sagaflow.console.ConsoleRequest;
import java.io.IOException;
import java.io.InputStream;

/** One request and its response, whichever server carries them: what {@link ConsoleEngine} works on. */
public interface Exchange extends ConsoleRequest {

    /** The path the console is mounted at, for links: {@code ""} or {@code /a/b}, without a trailing slash. */
    String basePath();

    /** The request path below {@link #basePath()}, still percent-encoded: {@code ""}, {@code /}, {@code /sagas/x}. */
    String subPath();

    /** The raw query string, or {@code null}. */
    String rawQuery();

    /**
     * The request body, at most {@code maxBytes}.
     *
     * @throws BodyTooLargeException if it is longer
     */
    byte[] body(int maxBytes) throws IOException;

    /** Sends {@code response}; called once. */
    void send(Response response) throws IOException;

    /**
     * Reads {@code in} to its end, or fails once it passes {@code maxBytes}; closes it.
     *
     * @throws BodyTooLargeException if it is longer than {@code maxBytes}
     */
    static byte[] readAtMost(InputStream in, int maxBytes) throws IOException {
        try (in) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
            return body;
        }
    }

    /** A request body longer than the console accepts. */
    final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        /** A body longer than {@code maxBytes}. */
        public BodyTooLargeException(int maxBytes) {
            super("request body larger than " + maxBytes + " bytes");
        }
    }
}
