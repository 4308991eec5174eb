package dev.sagaflow.opentelemetry.internal;

import dev.sagaflow.opentelemetry.TraceContextStore;
import java.util.LinkedHashMap;
import java.util.Map;

/** The in-memory {@link TraceContextStore}: the most recent contexts, oldest dropped first. Thread-safe. */
public final class BoundedTraceContexts implements TraceContextStore {
    private final int max;
    private final Map<String, Map<String, String>> contexts;

    public BoundedTraceContexts(int maxSagas) {
        if (maxSagas < 1) {
            throw new IllegalArgumentException("maxSagas must be >= 1, was " + maxSagas);
        }
        this.max = maxSagas;
        this.contexts = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
                return size() > max;
            }
        };
    }

    @Override
    public synchronized void save(String sagaId, Map<String, String> carrier) {
        contexts.put(sagaId, Map.copyOf(carrier));
    }

    @Override
    public synchronized Map<String, String> load(String sagaId) {
        return contexts.getOrDefault(sagaId, Map.of());
    }

    @Override
    public String toString() {
        return "TraceContextStore.inMemory(" + max + ")";
    }
}
