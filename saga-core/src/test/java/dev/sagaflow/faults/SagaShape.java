package dev.sagaflow.faults;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepKind;
import dev.sagaflow.fixtures.Trail;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A test saga: its steps' specs, the definition built from them over a {@link Participants}, and an
 * oracle that says how it may legitimately end. Immutable.
 *
 * @param label a short description for test names
 * @param steps the steps, in order
 */
public record SagaShape(String label, List<StepSpec> steps) {
    /** Delay between attempts of actions and compensations: fixed, without jitter, so runs repeat exactly. */
    public static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    public SagaShape {
        steps = List.copyOf(steps);
        Set<String> names = new HashSet<>();
        int pivots = 0;
        for (int i = 0; i < steps.size(); i++) {
            StepSpec step = steps.get(i);
            step.check();
            if (!names.add(step.name())) {
                throw new IllegalArgumentException(label + ": duplicate step " + step.name());
            }
            if (step.kind() == StepKind.PIVOT) {
                pivots++;
            }
            boolean afterPivot = pivotIndexOf(steps) >= 0 && i > pivotIndexOf(steps);
            if (afterPivot != (step.kind() == StepKind.RETRIABLE)) {
                throw new IllegalArgumentException(label + ": exactly the steps after the pivot are RETRIABLE: " + step);
            }
        }
        if (pivots > 1) {
            throw new IllegalArgumentException(label + ": more than one pivot");
        }
    }

    public static SagaShape of(String label, StepSpec... steps) {
        return new SagaShape(label, List.of(steps));
    }

    public int pivotIndex() {
        return pivotIndexOf(steps);
    }

    private static int pivotIndexOf(List<StepSpec> steps) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).kind() == StepKind.PIVOT) {
                return i;
            }
        }
        return -1;
    }

    public StepSpec step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(label + " has no step " + name));
    }

    public int indexOf(String name) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The definition whose handlers are {@code participants}' test participants. */
    public SagaDefinition<Trail> define(String sagaName, Participants participants) {
        SagaDefinition.Builder<Trail> saga = Saga.define(sagaName, Trail.class);
        for (StepSpec spec : steps) {
            SagaDefinition.StepBuilder<Trail> step = spec.kind() == StepKind.PIVOT ? saga.pivot(spec.name())
                    : saga.step(spec.name());
            if (spec.async()) {
                step.asyncAction((data, context) -> participants.actAsync(spec, data, context));
            } else {
                step.action((data, context) -> participants.act(spec, data, context));
            }
            if (spec.hasCompensation()) {
                if (spec.async()) {
                    step.asyncCompensation((data, context) -> participants.compensateAsync(spec, data, context));
                } else {
                    step.compensation((data, context) -> participants.compensate(spec, data, context));
                }
                step.compensationRetry(RetryPolicy.fixed(RETRY_DELAY, spec.compensationMaxAttempts()));
            }
            step.retry(RetryPolicy.fixed(RETRY_DELAY, spec.maxAttempts()));
            if (spec.timeout() != null) {
                step.timeout(spec.timeout());
            }
            if (spec.reply() != null) {
                step.awaitReply(String.class, (data, reply) -> data.mark("reply " + reply));
            }
        }
        return saga.build();
    }

    /** The payload the remote participant of awaiting step {@code step} sends with a success reply. */
    public static String replyPayload(String step) {
        return "ok-" + step;
    }

    /** The data marks of a COMPLETED saga: each step's "do", and each awaiting step's merged reply. */
    public List<String> completedMarks() {
        List<String> marks = new ArrayList<>();
        for (StepSpec step : steps) {
            marks.add("do " + step.name());
            if (step.reply() != null) {
                marks.add("reply " + replyPayload(step.name()));
            }
        }
        return marks;
    }

    /**
     * Every status the saga may legitimately end in when up to {@code crashes} crashes interrupt
     * it. Without crashes it is exactly one. A crash can waste an attempt (so retries may run out
     * one sooner), lose a participant's answer (so the next call decides), and makes the
     * interrupted step "possibly done" (so a step that failed cleanly may be compensated after
     * all); the oracle follows every such branch (see {@link StepSpec#ends(int)}).
     */
    public Set<SagaStatus> expectedStatuses(int crashes) {
        Set<SagaStatus> out = EnumSet.noneOf(SagaStatus.class);
        forward(0, crashes, out);
        return out;
    }

    private void forward(int index, int crashes, Set<SagaStatus> out) {
        if (index == steps.size()) {
            out.add(SagaStatus.COMPLETED);
            return;
        }
        StepSpec step = steps.get(index);
        for (StepSpec.End end : step.ends(crashes)) {
            if (end == StepSpec.End.SUCCEEDED) {
                forward(index + 1, crashes, out);
            } else if (step.kind() == StepKind.RETRIABLE) {
                out.add(SagaStatus.FAILED);
            } else {
                compensate(index, end == StepSpec.End.FAILED_MAYBE, crashes, out);
            }
        }
    }

    private void compensate(int failing, boolean failingNeedsIt, int crashes, Set<SagaStatus> out) {
        for (int i = failing; i >= 0; i--) {
            StepSpec step = steps.get(i);
            if (!step.hasCompensation() || (i == failing && !failingNeedsIt)) {
                continue;
            }
            Set<Boolean> gaveUp = step.compensationGivesUp(crashes);
            if (gaveUp.contains(true)) {
                out.add(SagaStatus.FAILED);
            }
            if (!gaveUp.contains(false)) {
                return;
            }
        }
        out.add(SagaStatus.COMPENSATED);
    }

    @Override
    public String toString() {
        return label + " " + steps.stream().map(StepSpec::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
