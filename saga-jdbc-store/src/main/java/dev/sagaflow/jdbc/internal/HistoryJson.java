package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.store.HistoryEntry;
import java.util.List;

/**
 * The {@code entries} column of a history row: the history entries of one write, in order, as a JSON
 * array with one array per entry: time (microseconds since the epoch), type, step, attempt, detail.
 * One row per write rather than per entry, so a write adds one row and one index entry to the
 * history table however many entries it records. Written and read with Jackson's streaming API
 * ({@link JsonText}). Thread-safe.
 *
 * <pre>[[1764346800124000,"STEP_SUCCEEDED","reserve",1,null],[1764346800124000,"SAGA_COMPLETED",null,0,null]]</pre>
 */
public final class HistoryJson {

    private HistoryJson() {
    }

    /** The JSON text of {@code entries}. */
    public static String encode(List<HistoryEntry> entries) {
        return JsonText.write(out -> {
            out.writeStartArray();
            for (HistoryEntry entry : entries) {
                out.writeStartArray();
                out.writeNumber(Micros.of(entry.at()));
                out.writeString(entry.type().name());
                out.writeString(entry.step());
                out.writeNumber(entry.attempt());
                out.writeString(entry.detail());
                out.writeEndArray();
            }
            out.writeEndArray();
        });
    }

    /**
     * The entries in {@code text}, which belong to saga instance {@code sagaId}.
     *
     * @throws IllegalArgumentException if {@code text} is not what {@link #encode(List)} writes
     */
    public static List<HistoryEntry> decode(String sagaId, String text) {
        return JsonText.readRows(text, "history entries", entry -> {
            if (!entry.isArray() || entry.size() != 5) {
                throw new IllegalArgumentException("a history entry is not an array of 5: " + entry);
            }
            return new HistoryEntry(sagaId, Micros.toInstant(entry.number(0, "time", 0)),
                    SagaEventType.valueOf(String.valueOf(entry.text(1))), entry.text(2),
                    Math.toIntExact(entry.number(3, "attempt", 0)), entry.text(4));
        });
    }
}
