package dev.sagaflow.jdbc.internal;

import dev.sagaflow.StepStatus;
import dev.sagaflow.store.StepState;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The {@code steps} column: a JSON array with one array per {@link StepState}, in definition order:
 * name, status, attempts, compensation attempts, may-have-taken-effect, then started, ended and
 * wake-at as microseconds since the epoch (see {@link Micros}), and the error; trailing nulls are left
 * out. Compact on purpose: every write stores it, so its size is written to the database's log on
 * every transition. Written and read with Jackson's streaming API ({@link JsonText}). Thread-safe.
 *
 * <pre>[["reserve","SUCCEEDED",1,0,false,1764346800123000,1764346800124000],["ship","RUNNING",1,0,false,1764346800124000],["bill","PENDING",0,0,false]]</pre>
 */
public final class StepsJson {
    private static final int FIELDS = 9;

    private StepsJson() {
    }

    /** The JSON text of {@code steps}. */
    public static String encode(List<StepState> steps) {
        return JsonText.write(out -> {
            out.writeStartArray();
            for (StepState step : steps) {
                out.writeStartArray();
                out.writeString(step.name());
                out.writeString(step.status().name());
                out.writeNumber(step.attempts());
                out.writeNumber(step.compensationAttempts());
                out.writeBoolean(step.mayHaveTakenEffect());
                // The optional fields, up to the last one that is set.
                int optional = step.error() != null ? 4 : step.wakeAt() != null ? 3 : step.endedAt() != null ? 2
                        : step.startedAt() != null ? 1 : 0;
                if (optional >= 1) {
                    writeMicros(out, step.startedAt());
                }
                if (optional >= 2) {
                    writeMicros(out, step.endedAt());
                }
                if (optional >= 3) {
                    writeMicros(out, step.wakeAt());
                }
                if (optional == 4) {
                    out.writeString(step.error());
                }
                out.writeEndArray();
            }
            out.writeEndArray();
        });
    }

    /**
     * The steps in {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} is not what {@link #encode(List)} writes
     */
    public static List<StepState> decode(String text) {
        return JsonText.readRows(text, "steps", step -> {
            String name = step.text(0);
            if (name == null) {
                throw new IllegalArgumentException("a step has no name: " + step);
            }
            if (step.size() > FIELDS) {
                throw new IllegalArgumentException("step '" + name + "' has " + step.size() + " fields, at most "
                        + FIELDS + " are known: " + step);
            }
            try {
                return new StepState(name, StepStatus.valueOf(String.valueOf(step.text(1))),
                        Math.toIntExact(step.number(2, "attempts", 0)),
                        Math.toIntExact(step.number(3, "compensation attempts", 0)),
                        step.bool(4, "may-have-taken-effect"), instant(step, 5, "started"), instant(step, 6, "ended"),
                        instant(step, 7, "wake-at"), step.text(8));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IllegalArgumentException("step '" + name + "' cannot be read: " + e.getMessage(), e);
            }
        });
    }

    private static void writeMicros(com.fasterxml.jackson.core.JsonGenerator out, Instant instant) throws IOException {
        if (instant == null) {
            out.writeNull();
        } else {
            out.writeNumber(Micros.of(instant));
        }
    }

    private static Instant instant(JsonText.Row step, int index, String name) {
        return step.isNull(index) ? null : Micros.toInstant(step.number(index, name + " time", 0));
    }
}
