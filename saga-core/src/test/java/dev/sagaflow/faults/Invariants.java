package dev.sagaflow.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepKind;
import dev.sagaflow.StepStatus;
import dev.sagaflow.faults.Participants.Call;
import dev.sagaflow.faults.Participants.CallKind;
import dev.sagaflow.faults.Participants.StepLedger;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The guarantees of DESIGN.md, checked for one instance against what its participants recorded in
 * their own ledgers (not against what the runtime says it did):
 * <ul>
 * <li>every action and compensation was called with its one stable idempotency key, and no effect
 *     was applied, or undone, twice;
 * <li>no compensation ran for an action that never started; actions ran in step order and none
 *     after compensation began; compensations ran newest first;
 * <li>COMPLETED: every step's effect applied exactly once, nothing compensated, the data carries
 *     every step's mark once;
 * <li>COMPENSATED: every applied effect that has a compensation was undone; the pivot and later
 *     steps never took effect; no compensation gave up;
 * <li>FAILED: exactly one participant gave up (a compensation, or a step after the pivot) at the end
 *     of its budget, and the operator API lists the instance; no other status is listed as FAILED.
 * </ul>
 * Each check returns a list of violations, empty when every invariant holds.
 */
public final class Invariants {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Invariants() {
    }

    /**
     * Checks one instance.
     *
     * @param sagaId the instance, or null if none was ever created
     * @param instance what the store holds at the end, or null
     * @param expected the statuses the shape's oracle allows
     * @param listedAsFailed whether {@code orchestrator.list(SagaQuery.withStatus(FAILED))} lists it
     */
    public static List<String> check(SagaShape shape, Participants participants, String sagaId, SagaInstance instance,
            Set<SagaStatus> expected, boolean listedAsFailed) {
        return check(shape, participants, sagaId, instance, expected, listedAsFailed, false);
    }

    /**
     * Checks one instance; {@code storeRefusedAWrite}: the store refused one of the runtime's writes for good, so
     * the saga may have ended FAILED without a participant giving up (its reason says the store refused it), or a
     * step that took effect may have failed as possibly done (and been compensated).
     */
    public static List<String> check(SagaShape shape, Participants participants, String sagaId, SagaInstance instance,
            Set<SagaStatus> expected, boolean listedAsFailed, boolean storeRefusedAWrite) {
        List<String> violations = new ArrayList<>(participants.violations());
        if (instance == null) {
            if (!participants.calls().isEmpty()) {
                violations.add("no instance was stored, yet participants were called:\n"
                        + participants.describe(null));
            }
            return violations;
        }
        SagaStatus status = instance.status();
        if (!status.isTerminal() && status != SagaStatus.FAILED) {
            violations.add("the instance ended " + status + ", not COMPLETED, COMPENSATED or FAILED: " + instance);
        }
        if (!expected.contains(status)) {
            violations.add("the instance ended " + status + "; the oracle allows " + expected);
        }
        if (listedAsFailed != (status == SagaStatus.FAILED)) {
            violations.add(status == SagaStatus.FAILED ? "FAILED, but list(withStatus(FAILED)) does not list it"
                    : status + ", yet list(withStatus(FAILED)) lists it");
        }
        if (instance.steps().size() != shape.steps().size()) {
            violations.add("the instance has " + instance.steps().size() + " steps, the shape " + shape.steps().size());
            return violations;
        }
        checkKeysAndEffects(shape, participants, sagaId, violations);
        checkOrder(participants.calls(sagaId), violations);
        switch (status) {
            case COMPLETED -> checkCompleted(shape, participants, instance, violations);
            case COMPENSATED -> checkCompensated(shape, participants, instance, violations, storeRefusedAWrite);
            case FAILED -> {
                // A write refused for good fails the saga, or the step whose result could not be stored, for a
                // reason no participant gave: only the listing and the ledgers are checked then.
                if (!storeRefusedAWrite) {
                    checkFailed(shape, participants, instance, violations);
                }
            }
            default -> { }
        }
        return violations;
    }

    private static void checkKeysAndEffects(SagaShape shape, Participants participants, String sagaId,
            List<String> violations) {
        for (StepSpec spec : shape.steps()) {
            StepLedger ledger = participants.ledgerOf(sagaId, spec.name());
            String actionKey = sagaId + ":" + spec.name();
            String compensationKey = actionKey + ":compensation";
            if (!Set.of(actionKey).containsAll(ledger.actionKeys)) {
                violations.add("the action of step '" + spec.name() + "' was called with keys " + ledger.actionKeys
                        + "; the only stable key is " + actionKey);
            }
            if (!Set.of(compensationKey).containsAll(ledger.compensationKeys)) {
                violations.add("the compensation of step '" + spec.name() + "' was called with keys "
                        + ledger.compensationKeys + "; the only stable key is " + compensationKey);
            }
            if (ledger.appliedBy.size() > 1) {
                violations.add("the effect of step '" + spec.name() + "' was applied " + ledger.appliedBy.size()
                        + " times, under keys " + ledger.appliedBy);
            }
            if (ledger.undoneBy.size() > 1) {
                violations.add("the effect of step '" + spec.name() + "' was undone " + ledger.undoneBy.size()
                        + " times, under keys " + ledger.undoneBy);
            }
            if (ledger.compensationCalls > 0 && ledger.actionCalls == 0) {
                violations.add("the compensation of step '" + spec.name() + "' ran, but its action never started");
            }
            if (ledger.concurrentCalls > 0) {
                violations.add("step '" + spec.name() + "' was called " + ledger.concurrentCalls
                        + " time(s) while another call of it was still running");
            }
        }
    }

    private static void checkOrder(List<Call> calls, List<String> violations) {
        boolean compensating = false;
        int lastAction = -1;
        int lastCompensation = Integer.MAX_VALUE;
        for (Call call : calls) {
            if (call.kind() == CallKind.ACTION) {
                if (compensating) {
                    violations.add("an action was called after compensation began: " + call);
                }
                if (call.index() < lastAction) {
                    violations.add("an action was called after a later step's action: " + call);
                }
                lastAction = Math.max(lastAction, call.index());
            } else if (call.kind() == CallKind.COMPENSATION) {
                compensating = true;
                if (call.index() > lastCompensation) {
                    violations.add("compensations ran out of order (newest first is required): " + call);
                }
                lastCompensation = Math.min(lastCompensation, call.index());
            }
        }
    }

    private static void checkCompleted(SagaShape shape, Participants participants, SagaInstance instance,
            List<String> violations) {
        for (int i = 0; i < shape.steps().size(); i++) {
            StepSpec spec = shape.steps().get(i);
            StepLedger ledger = participants.ledgerOf(instance.id(), spec.name());
            if (!ledger.applied()) {
                violations.add("COMPLETED, but the effect of step '" + spec.name() + "' was never applied");
            }
            if (ledger.compensationCalls > 0) {
                violations.add("COMPLETED, but step '" + spec.name() + "' was compensated");
            }
            if (instance.steps().get(i).status() != StepStatus.SUCCEEDED) {
                violations.add("COMPLETED, but step '" + spec.name() + "' is " + instance.steps().get(i).status());
            }
        }
        try {
            List<String> marks = JSON.readValue(instance.data().json(), Trail.class).marks();
            if (!marks.equals(shape.completedMarks())) {
                violations.add("COMPLETED with data marks " + marks + "; each step's mark once is "
                        + shape.completedMarks());
            }
        } catch (Exception e) {
            violations.add("the data of a COMPLETED saga cannot be read: " + e);
        }
    }

    private static void checkCompensated(SagaShape shape, Participants participants, SagaInstance instance,
            List<String> violations, boolean storeRefusedAWrite) {
        for (int i = 0; i < shape.steps().size(); i++) {
            StepSpec spec = shape.steps().get(i);
            StepLedger ledger = participants.ledgerOf(instance.id(), spec.name());
            StepState state = instance.steps().get(i);
            if (spec.hasCompensation() && ledger.applied() && !ledger.undone()) {
                violations.add("COMPENSATED, but the effect of step '" + spec.name() + "' was never undone");
            }
            if (spec.hasCompensation() && ledger.compensationCalls > 0 && "THREW".equals(ledger.lastCompensationResult)) {
                violations.add("COMPENSATED, but the last compensation call of step '" + spec.name() + "' failed");
            }
            if (spec.hasCompensation() && ledger.applied() && state.status() != StepStatus.COMPENSATED) {
                violations.add("COMPENSATED, step '" + spec.name() + "' took effect, but its state is " + state.status());
            }
            // A pivot whose success could not be stored fails as possibly done: its effect stays (it has no
            // compensation), as the README's gotcha says of a pivot that may have taken effect.
            if ((spec.kind() == StepKind.PIVOT || spec.kind() == StepKind.RETRIABLE) && ledger.applied()
                    && !storeRefusedAWrite) {
                violations.add("COMPENSATED, but step '" + spec.name() + "' (" + spec.kind() + ") took effect");
            }
        }
    }

    private static void checkFailed(SagaShape shape, Participants participants, SagaInstance instance,
            List<String> violations) {
        List<Integer> stuck = new ArrayList<>();
        for (int i = 0; i < shape.steps().size(); i++) {
            StepSpec spec = shape.steps().get(i);
            StepState state = instance.steps().get(i);
            StepLedger ledger = participants.ledgerOf(instance.id(), spec.name());
            if (state.status() == StepStatus.COMPENSATING) {
                stuck.add(i);
                if (!"THREW".equals(ledger.lastCompensationResult)) {
                    violations.add("FAILED in the compensation of step '" + spec.name() + "', but its participant's"
                            + " last answer was " + ledger.lastCompensationResult);
                }
                if (state.compensationAttempts() < spec.compensationMaxAttempts()) {
                    violations.add("FAILED in the compensation of step '" + spec.name() + "' after "
                            + state.compensationAttempts() + " attempts; its budget is " + spec.compensationMaxAttempts());
                }
                for (int later = i + 1; later < shape.steps().size(); later++) {
                    StepSpec laterSpec = shape.steps().get(later);
                    StepLedger laterLedger = participants.ledgerOf(instance.id(), laterSpec.name());
                    if (laterSpec.hasCompensation() && laterLedger.applied() && !laterLedger.undone()) {
                        violations.add("FAILED in the compensation of step '" + spec.name() + "', but the later step '"
                                + laterSpec.name() + "' was never undone");
                    }
                }
                for (int earlier = 0; earlier < i; earlier++) {
                    StepSpec earlierSpec = shape.steps().get(earlier);
                    if (participants.ledgerOf(instance.id(), earlierSpec.name()).compensationCalls > 0) {
                        violations.add("FAILED in the compensation of step '" + spec.name() + "', yet the earlier step '"
                                + earlierSpec.name() + "' was compensated too");
                    }
                }
            } else if (state.status() == StepStatus.FAILED && spec.kind() == StepKind.RETRIABLE) {
                stuck.add(i);
                if ("APPLIED".equals(ledger.lastActionResult) || "DEDUPED".equals(ledger.lastActionResult)) {
                    violations.add("FAILED at step '" + spec.name() + "' after the pivot, but its participant's last"
                            + " answer was a success");
                }
                if ("THREW".equals(ledger.lastActionResult) && state.attempts() < spec.maxAttempts()) {
                    violations.add("FAILED at step '" + spec.name() + "' after " + state.attempts()
                            + " attempts; its budget is " + spec.maxAttempts());
                }
                for (StepSpec other : shape.steps()) {
                    if (participants.ledgerOf(instance.id(), other.name()).compensationCalls > 0) {
                        violations.add("FAILED after the pivot, yet step '" + other.name() + "' was compensated");
                    }
                }
            }
        }
        if (stuck.size() != 1) {
            violations.add("FAILED, but " + stuck.size() + " steps gave up (exactly one must): " + instance.steps());
        }
    }
}
