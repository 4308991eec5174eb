package dev.sagaflow.spi;

/**
 * Turns saga data into the text a store keeps and back. The default is Jackson JSON with the host's
 * {@code ObjectMapper} when one is given. Implementations must be thread-safe.
 */
public interface SagaCodec {
    /**
     * Encodes a value.
     *
     * @throws Exception when the value cannot be encoded
     */
    String encode(Object value) throws Exception;

    /**
     * Decodes text produced by {@link #encode(Object)}.
     *
     * @throws Exception when the text cannot be decoded into {@code type}
     */
    <T> T decode(String text, Class<T> type) throws Exception;
}
