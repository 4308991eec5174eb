package dev.sagaflow.internal;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a stored instance says about itself, read against its definition: the steps it is at, the steps that start
 * next, whether its pivot has passed or its deadline, and why it cannot be aborted or driven. Pure functions, used
 * by {@link Transitions} and by the run that acts on its decisions.
 */
final class InstanceStates {
    private InstanceStates() {
    }

    /**
     * The indexes of the steps the instance is at: while compensating the COMPENSATING ones, otherwise the RUNNING
     * and AWAITING_REPLY ones (more than one in a parallel group). Empty for a finished or FAILED instance.
     */
    static List<Integer> activeIndexes(SagaInstance instance) {
        List<StepState> steps = instance.steps();
        boolean compensating = instance.status() == SagaStatus.COMPENSATING;
        List<Integer> active = new ArrayList<>(2);
        if (!instance.status().isLive()) {
            return active;
        }
        for (int i = 0; i < steps.size(); i++) {
            StepStatus status = steps.get(i).status();
            if (compensating ? status == StepStatus.COMPENSATING
                    : status == StepStatus.RUNNING || status == StepStatus.AWAITING_REPLY) {
                active.add(i);
            }
        }
        return active;
    }

    /** The steps a new instance starts with: its first step, or the first branches of its first group. */
    static StepState[] firstSteps(SagaDefinition<?> definition, StepState[] pending, Instant now) {
        StepState[] steps = pending.clone();
        for (int i : startable(definition, steps, 0)) {
            steps[i] = steps[i].started(now);
        }
        return steps;
    }

    /**
     * The steps that start when the saga reaches step {@code index}: that step, or, if it begins a parallel
     * group, as many of the group's branches as may run at once.
     */
    static List<Integer> startable(SagaDefinition<?> definition, StepState[] steps, int index) {
        var group = definition.groupOf(index).orElse(null);
        if (group == null) {
            return List.of(index);
        }
        List<Integer> start = new ArrayList<>();
        int running = 0;
        for (int i = group.first(); i < group.end(); i++) {
            StepStatus status = steps[i].status();
            if (status == StepStatus.RUNNING || status == StepStatus.AWAITING_REPLY) {
                running++;
            }
        }
        for (int i = group.first(); i < group.end() && running < group.maxParallel(); i++) {
            if (steps[i].status() == StepStatus.PENDING) {
                start.add(i);
                running++;
            }
        }
        return start;
    }

    /** Whether the saga's pivot has succeeded (so it must finish, and its deadline no longer applies). */
    static boolean pivotSucceeded(SagaDefinition<?> definition, SagaInstance instance) {
        int pivot = definition.pivotIndex();
        return pivot >= 0 && instance.steps().get(pivot).status() == StepStatus.SUCCEEDED;
    }

    /** Whether the saga's deadline has passed at {@code now} while it still could be aborted. */
    static boolean deadlinePassed(SagaDefinition<?> definition, SagaInstance instance, Instant now) {
        return instance.deadline() != null && !now.isBefore(instance.deadline())
                && !pivotSucceeded(definition, instance);
    }

    /** Why {@code instance} cannot be aborted, or {@code null} if it can. */
    static String abortProblem(SagaDefinition<?> definition, SagaInstance instance) {
        if (instance.status() != SagaStatus.RUNNING) {
            return "the saga is " + instance.status() + ", only a RUNNING saga can be aborted (RUNNING -> COMPENSATING)";
        }
        if (pivotSucceeded(definition, instance)) {
            return "the saga is past its pivot '" + definition.steps().get(definition.pivotIndex()).name()
                    + "' and must finish";
        }
        return null;
    }

    /**
     * Why a stored instance cannot be driven by {@code definition} although their fingerprints match (its row
     * was edited or corrupted): its steps are not the definition's, or it is live but no step is current.
     * {@code null} if it can.
     */
    static String stateProblem(SagaDefinition<?> definition, SagaInstance instance) {
        List<String> stored = instance.steps().stream().map(StepState::name).toList();
        if (!stored.equals(definition.stepNames())) {
            return "its stored steps " + stored + " are not the steps " + definition.stepNames() + " of saga '"
                    + definition.name() + "' version " + definition.version();
        }
        if (instance.status().isLive() && activeIndexes(instance).isEmpty()) {
            return "it is " + instance.status() + " but no step is "
                    + (instance.status() == SagaStatus.COMPENSATING ? "COMPENSATING" : "RUNNING or AWAITING_REPLY")
                    + ": " + instance.steps();
        }
        return null;
    }
}
