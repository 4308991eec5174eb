package dev.sagaflow.examples.trip;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the trip's participants did, in order ("book flight", "cancel hotel", ...). Thread-safe. */
public final class TripJournal {
    private final List<String> entries = new CopyOnWriteArrayList<>();

    void record(String entry) {
        entries.add(entry);
    }

    /** Every entry so far, oldest first. */
    public List<String> entries() {
        return List.copyOf(entries);
    }
}
