package dev.sagaflow.faults;

import dev.sagaflow.StepKind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One step of a test saga: what its participant does on each call of the action and of the
 * compensation (the last behaviour repeats forever), its retry budgets, timeout, and, for an
 * awaiting step, how the remote participant answers. Immutable; the {@code with...} methods copy.
 *
 * @param name the step name
 * @param kind its role; COMPENSATABLE steps, and only they, have compensation behaviours
 * @param actions the behaviour of the action's 1st, 2nd, ... call (per idempotency key)
 * @param maxAttempts the action's retry budget (fixed 1 s delay, no jitter)
 * @param compensations the behaviour of the compensation's calls; empty without a compensation
 * @param compensationMaxAttempts the compensation's retry budget
 * @param timeout the step's attempt timeout (also the reply deadline of an awaiting step), or null
 * @param reply how the remote participant answers an awaiting step, or null for a plain step
 * @param async whether the handlers return a CompletionStage (always so when the action may hang)
 */
public record StepSpec(String name, StepKind kind, List<Behaviour> actions, int maxAttempts,
        List<Behaviour> compensations, int compensationMaxAttempts, Duration timeout, ReplyKind reply, boolean async) {

    public StepSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(kind);
        actions = List.copyOf(actions);
        compensations = List.copyOf(compensations);
    }

    /** Checks that the spec is complete and consistent; called by {@link SagaShape}. */
    void check() {
        if (actions.isEmpty()) {
            throw new IllegalArgumentException(name + ": no action behaviour");
        }
        if ((kind == StepKind.COMPENSATABLE) == compensations.isEmpty()) {
            throw new IllegalArgumentException(name + ": compensation behaviours exactly for COMPENSATABLE steps");
        }
        if ((actions.contains(Behaviour.HANG) || reply == ReplyKind.TIMEOUT) && timeout == null) {
            throw new IllegalArgumentException(name + ": a step that may hang needs a timeout");
        }
        if (reply != null && actions.contains(Behaviour.HANG)) {
            throw new IllegalArgumentException(name + ": an awaiting step's command is sent or not; it does not hang");
        }
        if (kind == StepKind.PIVOT && (actions.contains(Behaviour.HANG) || reply == ReplyKind.TIMEOUT
                || (actions.contains(Behaviour.OK) && actions.get(actions.size() - 1) != Behaviour.OK))) {
            // A pivot that may have taken effect and then gives up (it timed out, or applied and then
            // failed on the retry after a crash) leaves its effect in a compensated saga: it has no
            // compensation, so the saga model has no answer for that and the tests do not generate it.
            throw new IllegalArgumentException(name + ": a pivot must not fail once it may have taken effect");
        }
        if (compensations.contains(Behaviour.HANG) || compensations.contains(Behaviour.REJECT)) {
            throw new IllegalArgumentException(name + ": compensations only succeed or throw");
        }
        if (maxAttempts < 1 || compensationMaxAttempts < 1) {
            throw new IllegalArgumentException(name + ": attempts must be >= 1");
        }
    }

    /** A compensatable step whose action and compensation succeed at once. */
    public static StepSpec compensatable(String name) {
        return new StepSpec(name, StepKind.COMPENSATABLE, List.of(Behaviour.OK), 1, List.of(Behaviour.OK), 1, null,
                null, false);
    }

    /** A step without compensation before the pivot (a validation, a read). */
    public static StepSpec uncompensated(String name) {
        return new StepSpec(name, StepKind.UNCOMPENSATED, List.of(Behaviour.OK), 1, List.of(), 1, null, null, false);
    }

    /** The pivot. */
    public static StepSpec pivot(String name) {
        return new StepSpec(name, StepKind.PIVOT, List.of(Behaviour.OK), 1, List.of(), 1, null, null, false);
    }

    /** A step after the pivot (never compensated, retried). */
    public static StepSpec retriable(String name) {
        return new StepSpec(name, StepKind.RETRIABLE, List.of(Behaviour.OK), 3, List.of(), 1, null, null, false);
    }

    public StepSpec actions(Behaviour... behaviours) {
        boolean mayHang = List.of(behaviours).contains(Behaviour.HANG);
        return new StepSpec(name, kind, List.of(behaviours), maxAttempts, compensations, compensationMaxAttempts,
                timeout, reply, async || mayHang);
    }

    public StepSpec attempts(int max) {
        return new StepSpec(name, kind, actions, max, compensations, compensationMaxAttempts, timeout, reply, async);
    }

    public StepSpec compensations(Behaviour... behaviours) {
        return new StepSpec(name, kind, actions, maxAttempts, List.of(behaviours), compensationMaxAttempts, timeout,
                reply, async);
    }

    public StepSpec compensationAttempts(int max) {
        return new StepSpec(name, kind, actions, maxAttempts, compensations, max, timeout, reply, async);
    }

    public StepSpec timeout(Duration attemptTimeout) {
        return new StepSpec(name, kind, actions, maxAttempts, compensations, compensationMaxAttempts, attemptTimeout,
                reply, async);
    }

    public StepSpec awaiting(ReplyKind answer) {
        return new StepSpec(name, kind, actions, maxAttempts, compensations, compensationMaxAttempts, timeout, answer,
                async);
    }

    public StepSpec async(boolean asynchronous) {
        return new StepSpec(name, kind, actions, maxAttempts, compensations, compensationMaxAttempts, timeout, reply,
                asynchronous || actions.contains(Behaviour.HANG));
    }

    public boolean hasCompensation() {
        return kind == StepKind.COMPENSATABLE;
    }

    /** The behaviour of the action's {@code call}-th call (from 1). */
    public Behaviour action(int call) {
        return actions.get(Math.min(call, actions.size()) - 1);
    }

    /** The behaviour of the compensation's {@code call}-th call (from 1). */
    public Behaviour compensation(int call) {
        return compensations.get(Math.min(call, compensations.size()) - 1);
    }

    /** How a step's forward part can end. */
    public enum End {
        SUCCEEDED,
        /** Failed and nothing took effect: not compensated. */
        FAILED_CLEAN,
        /** Failed but may have taken effect (it timed out): compensated. */
        FAILED_MAYBE
    }

    /**
     * Every way the step's forward part can end when up to {@code crashes} crashes interrupt it.
     * The oracle explores every place a crash can fall: before a call (the recovered node counts
     * an attempt the participant never saw) or after it (its answer is lost and the recovered node
     * calls again, with the next behaviour). A recovered attempt always runs, whatever the budget;
     * after it, the budget decides as usual. Whether a crash marks the step "possibly done" is
     * tracked too.
     */
    public Set<End> ends(int crashes) {
        Set<End> ends = EnumSet.noneOf(End.class);
        forward(1, 1, crashes, false, ends);
        return ends;
    }

    private void forward(int call, int attempt, int crashes, boolean mayHave, Set<End> ends) {
        if (crashes > 0) {
            forward(call, attempt + 1, crashes - 1, true, ends);
            forward(call + 1, attempt + 1, crashes - 1, true, ends);
        }
        End failed = mayHave ? End.FAILED_MAYBE : End.FAILED_CLEAN;
        switch (action(call)) {
            case OK -> {
                if (reply == null || reply == ReplyKind.SUCCESS) {
                    ends.add(End.SUCCEEDED);
                } else if (reply == ReplyKind.FAILURE) {
                    ends.add(failed);
                } else if (attempt < maxAttempts) {
                    forward(call + 1, attempt + 1, crashes, true, ends);
                } else {
                    ends.add(End.FAILED_MAYBE);
                }
            }
            case REJECT -> ends.add(failed);
            case THROW -> {
                if (attempt < maxAttempts) {
                    forward(call + 1, attempt + 1, crashes, mayHave, ends);
                } else {
                    ends.add(failed);
                }
            }
            case HANG -> {
                if (attempt < maxAttempts) {
                    forward(call + 1, attempt + 1, crashes, true, ends);
                } else {
                    ends.add(End.FAILED_MAYBE);
                }
            }
        }
    }

    /** Whether the compensation may give up ({@code true}) or succeed ({@code false}) with up to {@code crashes} crashes. */
    public Set<Boolean> compensationGivesUp(int crashes) {
        Set<Boolean> outcomes = new java.util.HashSet<>();
        backward(1, 1, crashes, outcomes);
        return outcomes;
    }

    private void backward(int call, int attempt, int crashes, Set<Boolean> outcomes) {
        if (crashes > 0) {
            backward(call, attempt + 1, crashes - 1, outcomes);
            backward(call + 1, attempt + 1, crashes - 1, outcomes);
        }
        if (compensation(call) == Behaviour.OK) {
            outcomes.add(false);
        } else if (attempt < compensationMaxAttempts) {
            backward(call + 1, attempt + 1, crashes, outcomes);
        } else {
            outcomes.add(true);
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(name).append('[').append(kind);
        text.append(" do=").append(actions).append('/').append(maxAttempts);
        if (hasCompensation()) {
            text.append(" undo=").append(compensations).append('/').append(compensationMaxAttempts);
        }
        if (timeout != null) {
            text.append(" timeout=").append(timeout);
        }
        if (reply != null) {
            text.append(" await=").append(reply);
        }
        if (async) {
            text.append(" async");
        }
        return text.append(']').toString();
    }
}
