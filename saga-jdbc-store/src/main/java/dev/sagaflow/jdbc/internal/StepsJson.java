package dev.sagaflow.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sagaflow.StepStatus;
import dev.sagaflow.store.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code steps} column: a JSON array with one array per {@link StepState}, in definition order:
 * name, status, attempts, compensation attempts, may-have-taken-effect, then started, ended and
 * wake-at as microseconds since the epoch (see {@link Micros}), and the error; trailing nulls are left
 * out. Compact on purpose: every write stores it, so its size is written to the database's log on
 * every transition. Thread-safe.
 *
 * <pre>[["reserve","SUCCEEDED",1,0,false,1764346800123000,1764346800124000],["ship","RUNNING",1,0,false,1764346800124000],["bill","PENDING",0,0,false]]</pre>
 */
public final class StepsJson {
    private static final int FIELDS = 9;

    private StepsJson() {
    }

    /** The JSON text of {@code steps}. */
    public static String encode(List<StepState> steps) {
        StringBuilder out = new StringBuilder(16 + 64 * steps.size());
        out.append('[');
        for (int i = 0; i < steps.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            StepState step = steps.get(i);
            out.append('[');
            JsonText.appendString(out, step.name());
            out.append(",\"").append(step.status().name()).append("\",").append(step.attempts()).append(',')
                    .append(step.compensationAttempts()).append(',').append(step.mayHaveTakenEffect());
            // The optional fields, up to the last one that is set.
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
                JsonText.appendString(out.append(','), step.error());
            }
            out.append(']');
        }
        return out.append(']').toString();
    }

    /**
     * The steps in {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} is not what {@link #encode(List)} writes
     */
    public static List<StepState> decode(String text) {
        JsonNode array = JsonText.array(text, "steps");
        List<StepState> steps = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            String name = node.isArray() ? JsonText.text(node, 0) : null;
            if (name == null) {
                throw new IllegalArgumentException("a step has no name: " + JsonText.abbreviate(node.toString()));
            }
            if (node.size() > FIELDS) {
                throw new IllegalArgumentException("step '" + name + "' has " + node.size() + " fields, at most "
                        + FIELDS + " are known: " + JsonText.abbreviate(node.toString()));
            }
            try {
                steps.add(new StepState(name, StepStatus.valueOf(String.valueOf(JsonText.text(node, 1))),
                        Math.toIntExact(JsonText.number(node, 2, "attempts", 0)),
                        Math.toIntExact(JsonText.number(node, 3, "compensation attempts", 0)),
                        node.path(4).asBoolean(false), instant(node, 5, "started"), instant(node, 6, "ended"),
                        instant(node, 7, "wake-at"), JsonText.text(node, 8)));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IllegalArgumentException("step '" + name + "' cannot be read: " + e.getMessage(), e);
            }
        }
        return steps;
    }

    private static void appendMicros(StringBuilder out, Instant instant) {
        out.append(',');
        if (instant == null) {
            out.append("null");
        } else {
            out.append(Micros.of(instant));
        }
    }

    private static Instant instant(JsonNode node, int index, String name) {
        JsonNode value = node.get(index);
        return value == null || value.isNull() ? null : Micros.toInstant(JsonText.number(node, index, name + " time", 0));
    }
}
