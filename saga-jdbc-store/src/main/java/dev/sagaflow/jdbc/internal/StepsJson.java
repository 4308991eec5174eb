package dev.sagaflow.jdbc.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.StepStatus;
import dev.sagaflow.store.StepState;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code steps} column: a JSON array with one object per {@link StepState}, in definition order.
 * Instants are ISO-8601 strings ({@link Instant#toString()}), which round-trip to the nanosecond;
 * absent values are left out. Uses its own {@link ObjectMapper}, never the host's. Thread-safe.
 *
 * <pre>[{"name":"reserve","status":"SUCCEEDED","attempts":1,"compensationAttempts":0,
 *   "mayHaveTakenEffect":false,"startedAt":"2025-01-01T10:00:00.123456Z",...}]</pre>
 */
public final class StepsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StepsJson() {
    }

    /** The JSON text of {@code steps}. */
    public static String encode(List<StepState> steps) {
        StringWriter out = new StringWriter(64 + 160 * steps.size());
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
            json.writeStartArray();
            for (StepState step : steps) {
                json.writeStartObject();
                json.writeStringField("name", step.name());
                json.writeStringField("status", step.status().name());
                json.writeNumberField("attempts", step.attempts());
                json.writeNumberField("compensationAttempts", step.compensationAttempts());
                json.writeBooleanField("mayHaveTakenEffect", step.mayHaveTakenEffect());
                writeInstant(json, "startedAt", step.startedAt());
                writeInstant(json, "endedAt", step.endedAt());
                writeInstant(json, "wakeAt", step.wakeAt());
                if (step.error() != null) {
                    json.writeStringField("error", step.error());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode steps " + steps, e);
        }
        return out.toString();
    }

    /**
     * The steps in {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} is not what {@link #encode(List)} writes
     */
    public static List<StepState> decode(String text) {
        JsonNode array;
        try {
            array = MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("steps are not valid JSON: " + e.getMessage(), e);
        }
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("steps are not a JSON array: " + abbreviate(text));
        }
        List<StepState> steps = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            String name = text(node, "name");
            if (name == null) {
                throw new IllegalArgumentException("a step has no name: " + abbreviate(node.toString()));
            }
            String status = text(node, "status");
            try {
                steps.add(new StepState(name, StepStatus.valueOf(String.valueOf(status)),
                        node.path("attempts").asInt(0), node.path("compensationAttempts").asInt(0),
                        node.path("mayHaveTakenEffect").asBoolean(false), instant(node, "startedAt"),
                        instant(node, "endedAt"), instant(node, "wakeAt"), text(node, "error")));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new IllegalArgumentException("step '" + name + "' cannot be read: " + e.getMessage(), e);
            }
        }
        return steps;
    }

    private static void writeInstant(JsonGenerator json, String field, Instant value) throws IOException {
        if (value != null) {
            json.writeStringField(field, value.toString());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant instant(JsonNode node, String field) {
        String value = text(node, field);
        return value == null ? null : Instant.parse(value);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
