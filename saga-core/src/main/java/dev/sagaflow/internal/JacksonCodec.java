package dev.sagaflow.internal;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.sagaflow.spi.SagaCodec;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The default codec: Jackson JSON with the host's mapper. Thread-safe, as ObjectMapper is once configured.
 *
 * <p>Keeps one {@link ObjectReader} and one {@link ObjectWriter} per class, made from the mapper on first
 * use of that class: they skip the type resolution and serializer lookups that {@code ObjectMapper}
 * repeats on every call. So the mapper must be fully configured before it is handed over; later
 * changes to it may not be seen.
 *
 * <p>Reads through a copy of the mapper whose read limits (string, number and name lengths, document length)
 * are lifted and whose nesting limit is at least the write limit: whatever the mapper writes, this codec reads
 * back, so data is never accepted at a write and refused at the next read. Saga data length is bounded by the
 * orchestrator instead ({@code SagaOrchestrator.Builder.maxDataLength}).
 */
public final class JacksonCodec implements SagaCodec {
    private final ObjectMapper mapper;
    private final ConcurrentMap<Class<?>, ObjectWriter> writers = new ConcurrentHashMap<>();
    private final ConcurrentMap<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    public JacksonCodec(ObjectMapper mapper) {
        this.mapper = readingWhatItWrites(mapper);
    }

    private static ObjectMapper readingWhatItWrites(ObjectMapper mapper) {
        ObjectMapper copy;
        try {
            copy = mapper.copy();
        } catch (IllegalStateException e) {
            // A subclass that cannot be copied: keep it, with its own limits.
            return mapper;
        }
        StreamReadConstraints read = copy.getFactory().streamReadConstraints();
        int writeDepth = copy.getFactory().streamWriteConstraints().getMaxNestingDepth();
        copy.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE)
                .maxNumberLength(Integer.MAX_VALUE)
                .maxNameLength(Integer.MAX_VALUE)
                .maxDocumentLength(-1L)
                .maxNestingDepth(Math.max(read.getMaxNestingDepth(), writeDepth))
                .build());
        return copy;
    }

    @Override
    public String encode(Object value) throws Exception {
        if (value == null) {
            return mapper.writeValueAsString(null);
        }
        return writer(value.getClass()).writeValueAsString(value);
    }

    @Override
    public <T> T decode(String text, Class<T> type) throws Exception {
        return reader(type).readValue(text);
    }

    /** The cached writer for values of runtime class {@code type}. */
    ObjectWriter writer(Class<?> type) {
        ObjectWriter writer = writers.get(type);
        return writer != null ? writer : writers.computeIfAbsent(type, mapper::writerFor);
    }

    /** The cached reader for {@code type}. */
    ObjectReader reader(Class<?> type) {
        ObjectReader reader = readers.get(type);
        return reader != null ? reader : readers.computeIfAbsent(type, mapper::readerFor);
    }

    @Override
    public String toString() {
        return "JacksonCodec";
    }
}
