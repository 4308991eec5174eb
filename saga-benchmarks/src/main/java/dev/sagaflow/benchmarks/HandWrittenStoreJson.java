package dev.sagaflow.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.StepStatus;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.StepState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JDBC store's steps and history JSON as it was written before it moved to Jackson's streaming API (commit
 * 17766f5): a hand-written writer into a {@code StringBuilder}, and a reader through Jackson's tree. Kept only as
 * the baseline {@link JsonWriters} measures the store's current {@code StepsJson} and {@code HistoryJson}
 * against; it writes the same text (see {@link JsonWriters#main}, which checks that first).
 */
final class HandWrittenStoreJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HandWrittenStoreJson() {
    }

    static String encodeSteps(List<StepState> steps) {
        StringBuilder out = new StringBuilder(16 + 64 * steps.size());
        out.append('[');
        for (int i = 0; i < steps.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            StepState step = steps.get(i);
            out.append('[');
            appendString(out, step.name());
            out.append(",\"").append(step.status().name()).append("\",").append(step.attempts()).append(',')
                    .append(step.compensationAttempts()).append(',').append(step.mayHaveTakenEffect());
            int optional = step.error() != null ? 4 : step.wakeAt() != null ? 3 : step.endedAt() != null ? 2
                    : step.startedAt() != null ? 1 : 0;
            if (optional >= 1) {
                appendMicros(out, step.startedAt());
            }
            if (optional >= 2) {
                appendMicros(out, step.endedAt());
            }
            if (optional >= 3) {
                appendMicros(out, step.wakeAt());
            }
            if (optional == 4) {
                appendString(out.append(','), step.error());
            }
            out.append(']');
        }
        return out.append(']').toString();
    }

    static String encodeHistory(List<HistoryEntry> entries) {
        StringBuilder out = new StringBuilder(16 + 64 * entries.size());
        out.append('[');
        for (int i = 0; i < entries.size(); i++) {
            HistoryEntry entry = entries.get(i);
            out.append(i == 0 ? "[" : ",[").append(micros(entry.at())).append(",\"").append(entry.type().name())
                    .append("\",");
            appendString(out, entry.step());
            out.append(',').append(entry.attempt()).append(',');
            appendString(out, entry.detail());
            out.append(']');
        }
        return out.append(']').toString();
    }

    static List<StepState> decodeSteps(String text) throws IOException {
        JsonNode array = MAPPER.readTree(text);
        List<StepState> steps = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            steps.add(new StepState(node.get(0).asText(), StepStatus.valueOf(node.get(1).asText()), node.get(2).asInt(),
                    node.get(3).asInt(), node.path(4).asBoolean(false), instant(node, 5), instant(node, 6),
                    instant(node, 7), node.hasNonNull(8) ? node.get(8).asText() : null));
        }
        return steps;
    }

    static List<HistoryEntry> decodeHistory(String sagaId, String text) throws IOException {
        JsonNode array = MAPPER.readTree(text);
        List<HistoryEntry> entries = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            entries.add(new HistoryEntry(sagaId, toInstant(node.get(0).asLong()),
                    SagaEventType.valueOf(node.get(1).asText()), node.hasNonNull(2) ? node.get(2).asText() : null,
                    node.get(3).asInt(), node.hasNonNull(4) ? node.get(4).asText() : null));
        }
        return entries;
    }

    private static void appendString(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void appendMicros(StringBuilder out, Instant instant) {
        out.append(',');
        if (instant == null) {
            out.append("null");
        } else {
            out.append(micros(instant));
        }
    }

    private static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
    }

    private static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static Instant instant(JsonNode node, int index) {
        JsonNode value = node.get(index);
        return value == null || value.isNull() ? null : toInstant(value.asLong());
    }
}
