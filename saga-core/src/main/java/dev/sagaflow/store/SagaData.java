package dev.sagaflow.store;

import dev.sagaflow.SagaDataException;
import dev.sagaflow.spi.SagaCodec;
import java.util.Objects;

/**
 * A saga's data as it crosses the store SPI: the live object the runtime works with, its encoded
 * text, or both. Encoding is done at most once, on the first call to {@link #json()}, so a store
 * that keeps live objects never pays for it. Immutable and thread-safe as long as the live object
 * is not mutated while a store encodes it (the runtime never does that).
 */
public final class SagaData {
    private final Object value;
    private final SagaCodec codec;
    private volatile String json;

    private SagaData(Object value, SagaCodec codec, String json) {
        this.value = value;
        this.codec = codec;
        this.json = json;
    }

    /** Data read from storage. */
    public static SagaData ofJson(String json) {
        return new SagaData(null, null, Objects.requireNonNull(json, "json cannot be null"));
    }

    /** Live data, encoded on demand with {@code codec}. */
    public static SagaData ofValue(Object value, SagaCodec codec) {
        return new SagaData(Objects.requireNonNull(value, "value cannot be null"),
                Objects.requireNonNull(codec, "codec cannot be null"), null);
    }

    /**
     * The encoded form.
     *
     * @throws SagaDataException when the live value cannot be encoded
     */
    public String json() {
        String text = json;
        if (text == null) {
            try {
                text = codec.encode(value);
            } catch (Exception e) {
                throw new SagaDataException("saga data of type " + value.getClass().getName()
                        + " cannot be serialised: " + e.getMessage(), null, null, e);
            }
            json = text;
        }
        return text;
    }

    /** Whether this holds a live object (as opposed to text only). */
    public boolean hasValue() {
        return value != null;
    }

    /**
     * The data as an instance of {@code type}: the live object when there is one of that type,
     * otherwise decoded from the text with {@code decoder}.
     *
     * @throws SagaDataException when the text cannot be decoded into {@code type}
     */
    public <T> T decode(Class<T> type, SagaCodec decoder) {
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        try {
            return decoder.decode(json(), type);
        } catch (Exception e) {
            throw new SagaDataException("stored saga data cannot be read as " + type.getName() + ": "
                    + e.getMessage(), null, null, e);
        }
    }

    /**
     * Encodes and decodes the live value with its own codec and returns the text-only form, proving
     * that what a durable store would keep can be read back. Text-only data is returned as it is.
     *
     * @throws SagaDataException when either direction fails
     */
    public SagaData roundTrip() {
        if (value == null) {
            return this;
        }
        String text = json();
        try {
            codec.decode(text, value.getClass());
        } catch (Exception e) {
            throw new SagaDataException("saga data of type " + value.getClass().getName()
                    + " serialises but cannot be read back: " + e.getMessage(), null, null, e);
        }
        return ofJson(text);
    }

    /** Equal when the encoded texts are equal (encoding a live value if needed). */
    @Override
    public boolean equals(Object other) {
        return other instanceof SagaData data && json().equals(data.json());
    }

    @Override
    public int hashCode() {
        return json().hashCode();
    }

    @Override
    public String toString() {
        String text = json;
        return text != null ? text : String.valueOf(value);
    }
}
