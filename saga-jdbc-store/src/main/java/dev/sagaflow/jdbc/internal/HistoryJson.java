package dev.sagaflow.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.store.HistoryEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code entries} column of a history row: the history entries of one write, in order, as a JSON
 * array with one array per entry: time (microseconds since the epoch), type, step, attempt, detail.
 * One row per write rather than per entry, so a write adds one row and one index entry to the
 * history table however many entries it records. Thread-safe.
 *
 * <pre>[[1764346800124000,"STEP_SUCCEEDED","reserve",1,null],[1764346800124000,"SAGA_COMPLETED",null,0,null]]</pre>
 */
public final class HistoryJson {

    private HistoryJson() {
    }

    /** The JSON text of {@code entries}. */
    public static String encode(List<HistoryEntry> entries) {
        StringBuilder out = new StringBuilder(16 + 64 * entries.size());
        out.append('[');
        for (int i = 0; i < entries.size(); i++) {
            HistoryEntry entry = entries.get(i);
            out.append(i == 0 ? "[" : ",[").append(Micros.of(entry.at())).append(",\"").append(entry.type().name())
                    .append("\",");
            JsonText.appendString(out, entry.step());
            out.append(',').append(entry.attempt()).append(',');
            JsonText.appendString(out, entry.detail());
            out.append(']');
        }
        return out.append(']').toString();
    }

    /**
     * The entries in {@code text}, which belong to saga instance {@code sagaId}.
     *
     * @throws IllegalArgumentException if {@code text} is not what {@link #encode(List)} writes
     */
    public static List<HistoryEntry> decode(String sagaId, String text) {
        JsonNode array = JsonText.array(text, "history entries");
        List<HistoryEntry> entries = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            if (!node.isArray() || node.size() != 5) {
                throw new IllegalArgumentException("a history entry is not an array of 5: "
                        + JsonText.abbreviate(node.toString()));
            }
            entries.add(new HistoryEntry(sagaId, Micros.toInstant(JsonText.number(node, 0, "time", 0)),
                    SagaEventType.valueOf(String.valueOf(JsonText.text(node, 1))), JsonText.text(node, 2),
                    Math.toIntExact(JsonText.number(node, 3, "attempt", 0)), JsonText.text(node, 4)));
        }
        return entries;
    }
}
