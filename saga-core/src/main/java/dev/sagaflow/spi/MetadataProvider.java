package dev.sagaflow.spi;

import java.util.Map;

/**
 * Supplies string attributes kept with every saga instance the orchestrator starts, written with the instance's
 * first state and never changed: for example the caller's trace context, so that every attempt, on any node and
 * after any crash, can link its spans to the trace that started the saga. Attempts read them from
 * {@link dev.sagaflow.StepContext#metadata()}. Called on the thread that calls {@code start}, before anything is
 * written. Implementations must be thread-safe; an exception they throw fails the {@code start} call. The
 * attributes of all providers are merged in the order they were added; together they may hold at most
 * {@value #MAX_ENTRIES} entries of at most {@value #MAX_LENGTH} characters each (key and value).
 */
@FunctionalInterface
public interface MetadataProvider {
    /** The most entries an instance's metadata holds. */
    int MAX_ENTRIES = 32;
    /** The longest key or value, in characters. */
    int MAX_LENGTH = 1024;

    /** The attributes to keep with instance {@code sagaId} of saga {@code sagaName}; empty for none. */
    Map<String, String> metadata(String sagaName, String sagaId);
}
