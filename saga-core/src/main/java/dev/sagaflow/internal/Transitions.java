package dev.sagaflow.internal;

import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.ProbeOutcome;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.StepStatus;
import dev.sagaflow.spi.SagaCodec;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * The runtime's rules as one pure function: {@link #decide} maps a definition, the instance's last durable
 * state, an {@link Event} and the time to the {@link Transition} to write, or throws
 * {@link IllegalTransitionException} when the event is not allowed in that state. No threads, timers or
 * store: the run ({@code SagaRun}) writes what this decides and acts on it. Every saga and step status change
 * goes through {@link Builder#status} and {@link Builder#set}, checked against the transition tables of
 * {@link SagaStatus} and {@link StepStatus}.
 */
final class Transitions {
    private Transitions() {
    }

    /**
     * What a decision needs besides the instance and the event.
     *
     * @param now the time of the transition (the deciding node's clock)
     * @param owner the deciding node's id, the owner of the next state while it is live
     * @param codec encodes new saga data
     * @param random jitter for retry delays, in [0, 1)
     * @param inFlight the steps whose attempts run on the deciding node now: a parallel branch that is due but has
     *     not started is given up without having taken effect
     */
    record Env(Instant now, String owner, SagaCodec codec, DoubleSupplier random, Set<Integer> inFlight) {
        Env(Instant now, String owner, SagaCodec codec, DoubleSupplier random) {
            this(now, owner, codec, random, Set.of());
        }

        /** This environment, with {@code steps} in flight. */
        Env running(Set<Integer> steps) {
            return new Env(now, owner, codec, random, Set.copyOf(steps));
        }
    }

    /** What the run does once the transition is written. */
    enum Then {
        /** Nothing: the saga finished, or waits for an event (a reply, an operator). */
        NONE,
        /** Runs the current step's (or compensation's) attempt now. */
        ATTEMPT,
        /** Schedules the current attempt at the step's {@code wakeAt}. */
        WAKE,
        /** Waits for the current step's reply (checks the recorded replies, arms the reply timeout). */
        AWAIT_REPLY,
        /** Resumes the current step as after a crash (a {@link Resumed} transition follows). */
        RESUME
    }

    /**
     * A decided transition.
     *
     * @param next the state to write
     * @param history the entries recording it
     * @param data the live saga data after it, or {@code null} when the durable data is unchanged (the run
     *     then restores its live copy from the durable one, undoing what a failed attempt may have changed)
     * @param then what to do once it is written
     * @param consumedReplies the recorded replies the transition consumes
     */
    record Transition(SagaInstance next, List<HistoryEntry> history, Object data, Then then,
            Set<String> consumedReplies, List<OutboxMessage> outbox) {
        Transition consuming(Set<String> steps) {
            return new Transition(next, history, data, then, steps, outbox);
        }

        Transition sending(List<OutboxMessage> messages) {
            return new Transition(next, history, data, then, consumedReplies, messages);
        }
    }

    /** Something that moves an instance. */
    sealed interface Event permits Resumed, Succeeded, Failed, ReplyApplied, ReplyRefused, Aborted, OperatorRetried,
            MarkedFailed, Probed, Reopened {
    }

    /**
     * The steps (or compensations) whose attempts are due were found so after a crash or a takeover and will run
     * again; {@code probed} holds what a probe said of some of them (absent: no probe was asked).
     */
    record Resumed(Map<Integer, ProbeOutcome> probed) implements Event {
        Resumed() {
            this(Map.of());
        }
    }

    /** Why a step's probe was asked. */
    enum ProbeCause {
        /** The step's attempt (or its wait for a reply) timed out. */
        TIMED_OUT,
        /** The step is about to be compensated, having failed as possibly done. */
        COMPENSATING
    }

    /** A probe asked the participant of step {@code index} whether its action took effect. */
    record Probed(int index, ProbeCause cause, ProbeOutcome outcome, Throwable timeout) implements Event {
    }

    /**
     * An attempt returned {@code result} ({@code null}: the data is unchanged), sending {@code outbox} (a command
     * step's command). For an awaiting step's action, the step now waits for its reply until {@code replyTimeoutAt}
     * ({@code null}: no timeout).
     */
    record Succeeded(int index, boolean compensation, Object result, Instant replyTimeoutAt,
            List<OutboxMessage> outbox) implements Event {
        Succeeded(int index, boolean compensation, Object result, Instant replyTimeoutAt) {
            this(index, compensation, result, replyTimeoutAt, List.of());
        }
    }

    /**
     * An attempt failed with {@code error} (described by {@code message}); {@code possiblyDone} if it may have
     * taken effect all the same (it timed out, or returned a result that could not be stored);
     * {@code retryable} unless the error rules out another attempt whatever the policy says (a rejection, a
     * handler that broke its contract).
     */
    record Failed(int index, boolean compensation, Throwable error, String message, boolean possiblyDone,
            boolean retryable) implements Event {
    }

    /** The awaiting step's success reply, merged into the data ({@code merged}), completes the step. */
    record ReplyApplied(int index, Object merged) implements Event {
    }

    /**
     * The awaiting step fails on its reply: a failure reply ({@code possiblyDone} false unless the step may have
     * taken effect before), or a success reply that could not be merged ({@code possiblyDone}: the participant
     * acted).
     */
    record ReplyRefused(int index, String message, boolean possiblyDone) implements Event {
    }

    /** An operator or the saga's deadline aborts the saga: the current step gives up and the saga compensates. */
    record Aborted(String reason) implements Event {
    }

    /** An operator retries a FAILED saga: its stuck compensation or step runs again with a fresh budget. */
    record OperatorRetried(String actor) implements Event {
        OperatorRetried() {
            this(null);
        }
    }

    /** A COMPLETED child saga is reopened to be compensated: its parent rolls back ({@code reason} says which). */
    record Reopened(String reason) implements Event {
    }

    /** The instance cannot go on (unreadable data, steps that do not fit, a write the store refuses for good). */
    record MarkedFailed(String reason) implements Event {
    }

    /**
     * The transition {@code event} makes from {@code instance}.
     *
     * @throws IllegalTransitionException if the event is not allowed in the instance's state
     */
    static Transition decide(SagaDefinition<?> definition, SagaInstance instance, Event event, Env env) {
        Builder b = new Builder(definition, instance, env);
        if (event instanceof Resumed e) {
            return b.resumed(e.probed());
        } else if (event instanceof Probed e) {
            return b.probed(e);
        } else if (event instanceof Succeeded e) {
            Transition transition = e.compensation() ? b.compensationSucceeded(e.index(), e.result())
                    : b.actionSucceeded(e.index(), e.result(), e.replyTimeoutAt());
            return e.outbox().isEmpty() ? transition : transition.sending(e.outbox());
        } else if (event instanceof Failed e) {
            return e.compensation() ? b.compensationFailed(e) : b.actionFailed(e);
        } else if (event instanceof ReplyApplied e) {
            return b.stepSucceeded(e.index(), e.merged());
        } else if (event instanceof ReplyRefused e) {
            StepState step = instance.steps().get(e.index());
            return b.giveUp(e.index(), e.message(), step.mayHaveTakenEffect() || e.possiblyDone(), List.of());
        } else if (event instanceof Aborted e) {
            return b.aborted(e.reason());
        } else if (event instanceof OperatorRetried e) {
            return b.operatorRetried(e.actor());
        } else if (event instanceof MarkedFailed e) {
            return b.markedFailed(e.reason());
        } else if (event instanceof Reopened e) {
            return b.reopened(e.reason());
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    // ---------------------------------------------------------------- the rules

    /** Makes one transition from one state; not reusable. */
    private static final class Builder {
        private final SagaDefinition<?> definition;
        private final SagaInstance instance;
        private final Env env;
        private final Instant now;
        private final StepState[] steps;

        Builder(SagaDefinition<?> definition, SagaInstance instance, Env env) {
            this.definition = definition;
            this.instance = instance;
            this.env = env;
            this.now = env.now();
            this.steps = instance.steps().toArray(new StepState[0]);
        }

        Transition resumed(Map<Integer, ProbeOutcome> probed) {
            boolean compensating = instance.status() == SagaStatus.COMPENSATING;
            List<HistoryEntry> entries = new ArrayList<>();
            Integer applied = null;
            for (int index : InstanceStates.activeIndexes(instance)) {
                StepState step = steps[index];
                if (step.status() == StepStatus.AWAITING_REPLY || (step.wakeAt() != null && step.wakeAt().isAfter(now))) {
                    continue;
                }
                ProbeOutcome outcome = probed.get(index);
                if (outcome != null) {
                    entries.add(entry(SagaEventType.STEP_PROBED, step.name(), step.attempts(), outcome.name()));
                }
                if (compensating && outcome == ProbeOutcome.NOT_APPLIED) {
                    // Asked before the step's first compensation attempt (the only one under way: a saga compensates
                    // one step at a time): there is nothing to undo.
                    return compensationSkipped(index, entries);
                }
                if (!compensating && outcome == ProbeOutcome.APPLIED && applied == null) {
                    applied = index;
                    continue;
                }
                // Record the re-run before running it, so a crash loop still counts attempts. A local step's
                // interrupted attempt rolled back with its transaction, so it did not take effect; nor did one a
                // probe says did not.
                boolean possiblyDone = !definition.steps().get(index).isLocal()
                        && outcome != ProbeOutcome.NOT_APPLIED;
                StepState resumed = compensating ? step.compensationResumed() : step.resumed(possiblyDone);
                set(index, resumed);
                entries.add(entry(SagaEventType.STEP_RESUMED, step.name(),
                        compensating ? resumed.compensationAttempts() : resumed.attempts(),
                        compensating ? "compensation resumed from the store" : "action resumed from the store"));
            }
            if (applied != null) {
                // The interrupted attempt took effect: the step succeeded, with the data as it was.
                return succeededWith(applied, null, entries);
            }
            return keepData(instance.status(), instance.error(), entries, Then.ATTEMPT);
        }

        Transition probed(Probed probe) {
            int index = probe.index();
            StepState step = steps[index];
            HistoryEntry entry = entry(SagaEventType.STEP_PROBED, step.name(), step.attempts(), probe.outcome().name());
            if (probe.cause() == ProbeCause.COMPENSATING) {
                if (probe.outcome() != ProbeOutcome.NOT_APPLIED) {
                    throw new IllegalStateException("only a NOT_APPLIED probe before a compensation is written");
                }
                return compensationSkipped(index, List.of(entry));
            }
            String message = describeTimeout(step, probe.timeout());
            switch (probe.outcome()) {
                case APPLIED:
                    return succeededWith(index, null, List.of(entry));
                case NOT_APPLIED:
                    return actionFailed(new Failed(index, false, probe.timeout(), message, false, true), List.of(entry));
                default:
                    return actionFailed(new Failed(index, false, probe.timeout(), message, true, true), List.of(entry));
            }
        }

        /**
         * Step {@code index}'s compensation is not run: its probe says the action did not take effect, so there is
         * nothing to undo. The next older step that needs compensating is compensated, or the saga ends.
         */
        private Transition compensationSkipped(int index, List<HistoryEntry> earlier) {
            StepState step = expect(index, StepStatus.COMPENSATING);
            set(index, step.compensated(now));
            List<HistoryEntry> entries = new ArrayList<>(earlier);
            entries.add(entry(SagaEventType.COMPENSATION_SUCCEEDED, step.name(), 0,
                    "skipped: the probe says the action did not take effect"));
            return compensateFrom(instance.error(), entries, null);
        }

        private String describeTimeout(StepState step, Throwable timeout) {
            return timeout == null ? "timed out" : timeout.getClass().getSimpleName() + ": " + timeout.getMessage();
        }

        Transition actionSucceeded(int index, Object result, Instant replyTimeoutAt) {
            StepState step = expect(index, StepStatus.RUNNING);
            if (definition.steps().get(index).awaitsReply()) {
                set(index, step.awaitingReply(replyTimeoutAt));
                HistoryEntry entry = entry(SagaEventType.STEP_AWAITING_REPLY, step.name(), step.attempts(), null);
                return result == null ? keepData(SagaStatus.RUNNING, instance.error(), List.of(entry), Then.AWAIT_REPLY)
                        : withData(SagaStatus.RUNNING, instance.error(), List.of(entry), result, Then.AWAIT_REPLY);
            }
            return stepSucceeded(index, result);
        }

        Transition stepSucceeded(int index, Object result) {
            return succeededWith(index, result, List.of());
        }

        /**
         * Step {@code index} succeeded with {@code result} ({@code null}: the data unchanged); {@code earlier}
         * entries come first. The next step starts, or the group's next branches, or the saga completes.
         */
        Transition succeededWith(int index, Object result, List<HistoryEntry> earlier) {
            StepState step = steps[index];
            set(index, step.succeeded(now));
            List<HistoryEntry> entries = new ArrayList<>(earlier);
            entries.add(entry(SagaEventType.STEP_SUCCEEDED, step.name(), step.attempts(), null));
            int next = index + 1;
            var group = definition.groupOf(index).orElse(null);
            if (group != null) {
                boolean allDone = true;
                for (int i = group.first(); i < group.end(); i++) {
                    allDone &= steps[i].status() == StepStatus.SUCCEEDED;
                }
                if (!allDone) {
                    for (int i : InstanceStates.startable(definition, steps, group.first())) {
                        set(i, steps[i].started(now));
                    }
                    return result == null ? keepData(SagaStatus.RUNNING, instance.error(), entries, Then.ATTEMPT)
                            : withData(SagaStatus.RUNNING, instance.error(), entries, result, Then.ATTEMPT);
                }
                next = group.end();
            }
            if (next < steps.length) {
                for (int i : InstanceStates.startable(definition, steps, next)) {
                    set(i, steps[i].started(now));
                }
                return result == null ? keepData(SagaStatus.RUNNING, null, entries, Then.ATTEMPT)
                        : withData(SagaStatus.RUNNING, null, entries, result, Then.ATTEMPT);
            }
            entries.add(entry(SagaEventType.SAGA_COMPLETED, null, 0, null));
            return result == null ? keepData(SagaStatus.COMPLETED, null, entries, Then.NONE)
                    : withData(SagaStatus.COMPLETED, null, entries, result, Then.NONE);
        }

        Transition actionFailed(Failed failure) {
            return actionFailed(failure, List.of());
        }

        Transition actionFailed(Failed failure, List<HistoryEntry> earlier) {
            int index = failure.index();
            StepState step = steps[index];
            StepDefinition<?> stepDefinition = definition.steps().get(index);
            boolean retry = failure.retryable()
                    && stepDefinition.retryPolicy().shouldRetry(step.attempts(), failure.error())
                    && !InstanceStates.deadlinePassed(definition, instance, now);
            if (retry) {
                Duration delay = stepDefinition.retryPolicy().delayBefore(step.attempts() + 1, env.random());
                set(index, step.retryAt(now.plus(delay), failure.message(), failure.possiblyDone()));
                List<HistoryEntry> entries = new ArrayList<>(earlier);
                entries.add(entry(SagaEventType.STEP_RETRY_SCHEDULED, step.name(), step.attempts(), failure.message()));
                return keepData(SagaStatus.RUNNING, instance.error(), entries, Then.WAKE);
            }
            return giveUp(index, failure.message(), step.mayHaveTakenEffect() || failure.possiblyDone(), earlier);
        }

        /** The step at {@code index} gives up: the saga compensates, or is FAILED after the pivot. */
        Transition giveUp(int index, String message, boolean possiblyDone, List<HistoryEntry> earlier) {
            StepState step = steps[index];
            set(index, step.failed(now, message, possiblyDone));
            List<HistoryEntry> entries = new ArrayList<>(earlier);
            entries.add(entry(SagaEventType.STEP_FAILED, step.name(), step.attempts(), message));
            String reason = "step '" + step.name() + "' failed: " + message;
            giveUpSiblings(index, entries);
            if (definition.pivotIndex() >= 0 && index > definition.pivotIndex()) {
                entries.add(entry(SagaEventType.SAGA_FAILED, step.name(), step.attempts(), reason));
                return keepData(SagaStatus.FAILED, reason, entries, Then.NONE);
            }
            return compensateFrom(reason, entries, null);
        }

        /**
         * A branch of a parallel group gave up, so the group does: branches waiting for a retry give up as they
         * are, branches whose attempt runs or that wait for a reply give up as possibly done (their late outcome
         * is ignored), branches not started never start.
         */
        private void giveUpSiblings(int index, List<HistoryEntry> entries) {
            var group = definition.groupOf(index).orElse(null);
            if (group == null) {
                return;
            }
            String why = "given up: branch '" + steps[index].name() + "' of group '" + group.name() + "' failed";
            for (int i = group.first(); i < group.end(); i++) {
                StepState sibling = steps[i];
                boolean waitingForRetry = sibling.status() == StepStatus.RUNNING && sibling.wakeAt() != null
                        && sibling.wakeAt().isAfter(now);
                if (i == index || (sibling.status() != StepStatus.RUNNING
                        && sibling.status() != StepStatus.AWAITING_REPLY)) {
                    continue;
                }
                // Waiting for a reply, or its attempt under way: it may have taken effect. Due but not started on
                // this node (and not resumed from a crash, which would have marked it): it did not.
                boolean possiblyDone = sibling.status() == StepStatus.AWAITING_REPLY
                        || (!waitingForRetry && env.inFlight().contains(i));
                set(i, sibling.failed(now, why, possiblyDone));
                entries.add(entry(SagaEventType.STEP_FAILED, sibling.name(), sibling.attempts(), why));
            }
        }

        /**
         * Compensates the newest step that needs it, or ends COMPENSATED. Newest: the latest step, and within a
         * parallel group the branch that finished last.
         */
        Transition compensateFrom(String reason, List<HistoryEntry> entries, Object result) {
            int target = -1;
            for (int i = 0; i < steps.length; i++) {
                if (steps[i].needsCompensation() && definition.steps().get(i).hasCompensation()
                        && steps[i].status() != StepStatus.COMPENSATING && (target < 0 || newer(i, target))) {
                    target = i;
                }
            }
            if (target < 0) {
                List<HistoryEntry> all = new ArrayList<>(entries);
                all.add(entry(SagaEventType.SAGA_COMPENSATED, null, 0, reason));
                return result == null ? keepData(SagaStatus.COMPENSATED, reason, all, Then.NONE)
                        : withData(SagaStatus.COMPENSATED, reason, all, result, Then.NONE);
            }
            set(target, steps[target].compensating());
            return result == null ? keepData(SagaStatus.COMPENSATING, reason, entries, Then.ATTEMPT)
                    : withData(SagaStatus.COMPENSATING, reason, entries, result, Then.ATTEMPT);
        }

        /** Whether step {@code a} came after step {@code b}: a later group or step, or a branch that ended later. */
        private boolean newer(int a, int b) {
            int rankA = definition.groupOf(a).map(g -> g.first()).orElse(a);
            int rankB = definition.groupOf(b).map(g -> g.first()).orElse(b);
            if (rankA != rankB) {
                return rankA > rankB;
            }
            Instant endA = steps[a].endedAt();
            Instant endB = steps[b].endedAt();
            if (endA != null && endB != null && !endA.equals(endB)) {
                return endA.isAfter(endB);
            }
            return a > b;
        }

        Transition compensationSucceeded(int index, Object result) {
            StepState step = expect(index, StepStatus.COMPENSATING);
            set(index, step.compensated(now));
            List<HistoryEntry> entries = List.of(entry(SagaEventType.COMPENSATION_SUCCEEDED, step.name(),
                    step.compensationAttempts(), null));
            return compensateFrom(instance.error(), entries, result);
        }

        Transition compensationFailed(Failed failure) {
            int index = failure.index();
            StepState step = expect(index, StepStatus.COMPENSATING);
            StepDefinition<?> stepDefinition = definition.steps().get(index);
            if (failure.retryable()
                    && stepDefinition.compensationRetryPolicy().shouldRetry(step.compensationAttempts(), failure.error())) {
                Duration delay = stepDefinition.compensationRetryPolicy()
                        .delayBefore(step.compensationAttempts() + 1, env.random());
                set(index, step.compensationRetryAt(now.plus(delay), failure.message()));
                HistoryEntry entry = entry(SagaEventType.COMPENSATION_RETRY_SCHEDULED, step.name(),
                        step.compensationAttempts(), failure.message());
                return keepData(SagaStatus.COMPENSATING, instance.error(), List.of(entry), Then.WAKE);
            }
            set(index, step.compensationGaveUp(failure.message()));
            String reason = "compensation of step '" + step.name() + "' gave up after " + step.compensationAttempts()
                    + " attempts: " + failure.message();
            List<HistoryEntry> entries = List.of(
                    entry(SagaEventType.COMPENSATION_GAVE_UP, step.name(), step.compensationAttempts(), failure.message()),
                    entry(SagaEventType.SAGA_FAILED, step.name(), step.compensationAttempts(), reason));
            return keepData(SagaStatus.FAILED, reason, entries, Then.NONE);
        }

        Transition aborted(String reason) {
            String problem = InstanceStates.abortProblem(definition, instance);
            if (problem != null) {
                throw new IllegalTransitionException("cannot abort: " + problem, definition.name(), instance.id(), null);
            }
            List<Integer> active = InstanceStates.activeIndexes(instance);
            if (active.isEmpty()) {
                throw new IllegalStateException("saga " + instance.id() + " (" + definition.name() + ") is RUNNING but"
                        + " no step is current: " + instance.steps());
            }
            int index = active.get(0);
            StepState step = steps[index];
            // Waiting for a reply, or an attempt under way (no wake-up pending): it may have taken effect.
            boolean possiblyDone = step.status() == StepStatus.AWAITING_REPLY || step.wakeAt() == null;
            List<HistoryEntry> aborted = List.of(entry(SagaEventType.SAGA_ABORTED, null, 0, reason));
            return giveUp(index, "aborted: " + reason, step.mayHaveTakenEffect() || possiblyDone, aborted);
        }

        Transition operatorRetried(String actor) {
            if (instance.status() != SagaStatus.FAILED) {
                throw new IllegalTransitionException("cannot retry: the saga is " + instance.status()
                        + "; only a FAILED saga can be retried (FAILED -> RUNNING or COMPENSATING)", definition.name(),
                        instance.id(), null);
            }
            List<HistoryEntry> entries = List.of(entry(SagaEventType.SAGA_RETRIED, null, 0,
                    actor == null ? null : "by " + actor));
            for (int i = 0; i < steps.length; i++) {
                StepStatus status = steps[i].status();
                if (status == StepStatus.COMPENSATING) {
                    set(i, steps[i].compensating());
                    return keepData(SagaStatus.COMPENSATING, instance.error(), entries, Then.ATTEMPT);
                }
                if (status == StepStatus.RUNNING || status == StepStatus.AWAITING_REPLY) {
                    // Marked FAILED while it ran (its data or row could not be read): run it as after a crash.
                    return keepData(SagaStatus.RUNNING, instance.error(), entries, Then.RESUME);
                }
            }
            int pivot = definition.pivotIndex();
            for (int i = steps.length - 1; pivot >= 0 && i > pivot; i--) {
                if (steps[i].status() == StepStatus.FAILED) {
                    set(i, steps[i].restarted());
                    return keepData(SagaStatus.RUNNING, instance.error(), entries, Then.ATTEMPT);
                }
            }
            throw new IllegalTransitionException("cannot retry: no stuck step found in " + instance.steps(),
                    definition.name(), instance.id(), null);
        }

        Transition reopened(String reason) {
            if (instance.status() != SagaStatus.COMPLETED) {
                throw new IllegalTransitionException("cannot reopen: the saga is " + instance.status() + "; only a"
                        + " COMPLETED child saga is reopened to be compensated", definition.name(), instance.id(), null);
            }
            if (definition.pivotIndex() >= 0) {
                throw new IllegalTransitionException("cannot reopen: the saga is past its pivot '"
                        + definition.steps().get(definition.pivotIndex()).name() + "' and cannot be compensated",
                        definition.name(), instance.id(), null);
            }
            List<HistoryEntry> entries = List.of(entry(SagaEventType.SAGA_REOPENED, null, 0, reason));
            return compensateFrom(reason, entries, null);
        }

        Transition markedFailed(String reason) {
            List<HistoryEntry> entries = List.of(entry(SagaEventType.SAGA_FAILED, null, 0, reason));
            return keepData(SagaStatus.FAILED, reason, entries, Then.NONE);
        }

        // ---------------------------------------------------------------- building blocks

        private StepState expect(int index, StepStatus status) {
            StepState step = steps[index];
            if (step.status() != status) {
                throw new IllegalTransitionException("step '" + step.name() + "' is " + step.status() + ", not "
                        + status, definition.name(), instance.id(), step.name());
            }
            return step;
        }

        /** Replaces a step's state, checking the step transition table. */
        private void set(int index, StepState step) {
            StepStatus from = steps[index].status();
            if (from != step.status() && !from.canBecome(step.status())) {
                throw new IllegalTransitionException("illegal step transition " + from + " -> " + step.status(),
                        definition.name(), instance.id(), step.name());
            }
            steps[index] = step;
        }

        /** The next state with new data {@code result}. */
        private Transition withData(SagaStatus status, String error, List<HistoryEntry> entries, Object result,
                Then then) {
            SagaInstance next = next(status, SagaData.ofValue(result, env.codec()), error);
            return new Transition(next, List.copyOf(entries), result, then, Set.of(), List.of());
        }

        /** The next state with the durable data unchanged (what a failed attempt leaves). */
        private Transition keepData(SagaStatus status, String error, List<HistoryEntry> entries, Then then) {
            return new Transition(next(status, instance.data(), error), List.copyOf(entries), null, then, Set.of(),
                    List.of());
        }

        private SagaInstance next(SagaStatus status, SagaData data, String error) {
            if (!instance.status().canBecome(status)) {
                throw new IllegalTransitionException("illegal transition " + instance.status() + " -> " + status,
                        definition.name(), instance.id(), null);
            }
            return instance.next(status, Arrays.asList(steps), data, error, now, env.owner());
        }

        private HistoryEntry entry(SagaEventType type, String step, int attempt, String detail) {
            return new HistoryEntry(instance.id(), now, type, step, attempt, detail);
        }
    }
}
