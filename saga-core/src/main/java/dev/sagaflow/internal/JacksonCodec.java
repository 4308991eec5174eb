package dev.sagaflow.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.spi.SagaCodec;

/** The default codec: Jackson JSON with the host's mapper. Thread-safe, as ObjectMapper is once configured. */
public final class JacksonCodec implements SagaCodec {
    private final ObjectMapper mapper;

    public JacksonCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String encode(Object value) throws Exception {
        return mapper.writeValueAsString(value);
    }

    @Override
    public <T> T decode(String text, Class<T> type) throws Exception {
        return mapper.readValue(text, type);
    }

    @Override
    public String toString() {
        return "JacksonCodec";
    }
}
