package dev.sagaflow.opentelemetry;

import dev.sagaflow.opentelemetry.internal.BoundedTraceContexts;
import java.util.Map;

/**
 * Where the trace context of each saga's span is kept, so that a step resumed after a crash, on another node,
 * or after a reply starts spans linked to the saga's original trace. The context is a W3C carrier
 * ({@code traceparent}, and {@code tracestate} when set).
 *
 * <p>This is a seam: the context belongs with the saga instance in the store, and moves there once instances
 * carry metadata. Until then the default, {@link #inMemory(int)}, keeps it in this process only, so links reach
 * the original trace after a resume in the same process; a host with several nodes can give an implementation
 * that all its nodes share. Implementations must be thread-safe; an exception they throw is logged and the
 * span goes on without its link.
 */
public interface TraceContextStore {

    /** Keeps {@code carrier} (immutable) as the trace context of {@code sagaId}. */
    void save(String sagaId, Map<String, String> carrier);

    /** The carrier saved for {@code sagaId}, or an empty map. */
    Map<String, String> load(String sagaId);

    /** A store in this process's memory that keeps the most recent {@code maxSagas} contexts. */
    static TraceContextStore inMemory(int maxSagas) {
        return new BoundedTraceContexts(maxSagas);
    }
}
