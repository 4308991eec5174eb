package dev.sagaflow.testing;

import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event it receives, in order, for assertions. Thread-safe. */
public final class RecordingListener implements SagaListener {
    private final List<SagaEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(SagaEvent event) {
        events.add(event);
    }

    /** Every event so far. */
    public List<SagaEvent> events() {
        return List.copyOf(events);
    }

    /** The events of one instance. */
    public List<SagaEvent> events(String sagaId) {
        return events.stream().filter(e -> sagaId.equals(e.sagaId())).toList();
    }

    /** The types of one instance's events, in order. */
    public List<SagaEventType> types(String sagaId) {
        return events(sagaId).stream().map(SagaEvent::type).toList();
    }

    /** Forgets every event. */
    public void clear() {
        events.clear();
    }
}
