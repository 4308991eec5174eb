package dev.sagaflow.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.spi.SagaCodec;

/**
 * A minimal Jackson {@link SagaCodec} for store tests: a plain {@code ObjectMapper}, nothing
 * registered. Thread-safe. Not the production codec; it exists so that the store tests do not
 * depend on it.
 */
public final class JsonTestCodec implements SagaCodec {
    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public String encode(Object value) throws Exception {
        return mapper.writeValueAsString(value);
    }

    @Override
    public <T> T decode(String text, Class<T> type) throws Exception {
        return mapper.readValue(text, type);
    }
}
