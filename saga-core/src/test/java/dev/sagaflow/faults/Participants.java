package dev.sagaflow.faults;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.StepContext;
import dev.sagaflow.fixtures.Trail;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The test participants of every step of a {@link SagaShape}, and their own ledgers: every call
 * they received (in order), and per instance and step which idempotency keys applied the step's
 * effect and which compensation keys undid it. Like real participants they apply an action's
 * effect at most once per idempotency key, and a compensation tolerates an action that never took
 * effect. They know nothing about the runtime's state: the invariant checker compares what they
 * saw with what the store says. Thread-safe.
 */
public final class Participants {
    /** Who made a call. */
    public enum CallKind { ACTION, COMPENSATION, REPLY }

    /**
     * One call a participant received.
     *
     * @param seq global order of calls
     * @param result APPLIED, DEDUPED, SENT (an awaiting step's command), THREW, REJECTED, HUNG, UNDONE,
     *     UNDO_NOTHING, UNDO_DEDUPED, REFUSED (a failure reply), or FORBIDDEN
     * @param thread the calling thread, which names the node in multi-node tests
     */
    public record Call(long seq, String sagaId, String step, int index, CallKind kind, String key, int attempt,
            String result, String thread) {
        @Override
        public String toString() {
            return "#" + seq + " " + kind.name().toLowerCase() + " " + step + " attempt " + attempt + " key " + key
                    + " -> " + result + " (" + thread + ")";
        }
    }

    /** A participant's ledger for one step of one instance. Read it only after the run. */
    public static final class StepLedger {
        public final Set<String> actionKeys = new LinkedHashSet<>();
        public final Set<String> compensationKeys = new LinkedHashSet<>();
        /** Keys (action or reply) whose call applied the effect; more than one means it was applied twice. */
        public final Set<String> appliedBy = new LinkedHashSet<>();
        /** Compensation keys whose call undid the effect; more than one means it was undone twice. */
        public final Set<String> undoneBy = new LinkedHashSet<>();
        public int actionCalls;
        public int compensationCalls;
        /** Calls that began while another call of the same step was still running. */
        public int concurrentCalls;
        public String lastActionResult;
        public String lastCompensationResult;

        public boolean applied() {
            return !appliedBy.isEmpty();
        }

        public boolean undone() {
            return !undoneBy.isEmpty();
        }
    }

    /** Runs before a participant does anything (a test may block here to stretch a call). */
    @FunctionalInterface
    public interface Gate {
        void beforeCall(StepContext context) throws Exception;
    }

    /** A transient failure of a participant: nothing took effect and a retry may succeed. */
    public static final class ParticipantDown extends Exception {
        ParticipantDown(String message) {
            super(message, null, false, false);
        }
    }

    private final SagaShape shape;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Integer> callsByKey = new HashMap<>();
    private final Map<String, StepLedger> ledgers = new HashMap<>();
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private volatile String forbidden;
    private volatile Gate gate = context -> { };
    private long sequence;

    public Participants(SagaShape shape) {
        this.shape = shape;
    }

    public SagaShape shape() {
        return shape;
    }

    /** From now on every call is a violation: the node that would make it is dead. */
    public void forbid(String reason) {
        forbidden = reason;
    }

    /** Calls are allowed again (a live node takes over). */
    public void allow() {
        forbidden = null;
    }

    public void gate(Gate beforeEveryCall) {
        gate = beforeEveryCall;
    }

    // ---------------------------------------------------------------- handlers

    Trail act(StepSpec spec, Trail data, StepContext context) throws Exception {
        Behaviour behaviour = call(spec, context, CallKind.ACTION);
        return switch (behaviour) {
            case OK -> data.mark("do " + spec.name());
            case THROW -> throw down(spec, context);
            case REJECT -> throw new BusinessRejection("participant of step '" + spec.name() + "' says no");
            case HANG -> throw new IllegalStateException("a synchronous handler cannot hang: " + spec);
        };
    }

    CompletionStage<Trail> actAsync(StepSpec spec, Trail data, StepContext context) throws Exception {
        Behaviour behaviour = call(spec, context, CallKind.ACTION);
        return switch (behaviour) {
            case OK -> CompletableFuture.completedFuture(data.mark("do " + spec.name()));
            case THROW -> CompletableFuture.failedFuture(down(spec, context));
            case REJECT -> CompletableFuture.failedFuture(
                    new BusinessRejection("participant of step '" + spec.name() + "' says no"));
            case HANG -> new CompletableFuture<>();
        };
    }

    Trail compensate(StepSpec spec, Trail data, StepContext context) throws Exception {
        Behaviour behaviour = call(spec, context, CallKind.COMPENSATION);
        if (behaviour == Behaviour.THROW) {
            throw down(spec, context);
        }
        return data.mark("undo " + spec.name());
    }

    CompletionStage<Trail> compensateAsync(StepSpec spec, Trail data, StepContext context) throws Exception {
        Behaviour behaviour = call(spec, context, CallKind.COMPENSATION);
        if (behaviour == Behaviour.THROW) {
            return CompletableFuture.failedFuture(down(spec, context));
        }
        return CompletableFuture.completedFuture(data.mark("undo " + spec.name()));
    }

    private static ParticipantDown down(StepSpec spec, StepContext context) {
        return new ParticipantDown("participant of step '" + spec.name() + "' is down ("
                + (context.isCompensation() ? "compensation" : "action") + " attempt " + context.attempt() + ")");
    }

    /**
     * The remote participant of awaiting step {@code spec} answers its command: on success (and on a
     * timeout, where it did the work but the reply was lost) it applies the effect under the
     * command's correlation id, once.
     */
    public synchronized void remote(String sagaId, StepSpec spec, ReplyKind answer) {
        String key = sagaId + ":" + spec.name();
        StepLedger ledger = ledger(sagaId, spec.name());
        String result = answer == ReplyKind.FAILURE ? "REFUSED" : apply(ledger, key, spec, sagaId);
        calls.add(new Call(++sequence, sagaId, spec.name(), shape.indexOf(spec.name()), CallKind.REPLY, key, 0,
                result + " (" + answer + ")", Thread.currentThread().getName()));
    }

    /** Whether the remote participant of {@code step} has applied its effect for the instance. */
    public synchronized boolean remoteApplied(String sagaId, String step) {
        return ledger(sagaId, step).applied();
    }

    private Behaviour call(StepSpec spec, StepContext context, CallKind kind) throws Exception {
        String running = context.sagaId() + "/" + spec.name() + "/" + kind;
        synchronized (this) {
            if (inFlight.merge(running, 1, Integer::sum) > 1) {
                ledger(context.sagaId(), spec.name()).concurrentCalls++;
            }
        }
        try {
            gate.beforeCall(context);
            return record(spec, context, kind);
        } finally {
            synchronized (this) {
                inFlight.merge(running, -1, Integer::sum);
            }
        }
    }

    private synchronized Behaviour record(StepSpec spec, StepContext context, CallKind kind) {
        String key = context.idempotencyKey();
        StepLedger ledger = ledger(context.sagaId(), spec.name());
        int call = callsByKey.merge(key, 1, Integer::sum);
        String reason = forbidden;
        if (reason != null) {
            violations.add(kind.name().toLowerCase() + " of step '" + spec.name() + "' (attempt " + context.attempt()
                    + ") was called after " + reason);
            calls.add(new Call(++sequence, context.sagaId(), spec.name(), shape.indexOf(spec.name()), kind, key,
                    context.attempt(), "FORBIDDEN", Thread.currentThread().getName()));
            throw new IllegalStateException("participant called by a dead node: " + reason);
        }
        Behaviour behaviour;
        String result;
        if (kind == CallKind.ACTION) {
            ledger.actionKeys.add(key);
            ledger.actionCalls++;
            behaviour = spec.action(call);
            result = switch (behaviour) {
                case OK -> spec.reply() != null ? "SENT" : apply(ledger, key, spec, context.sagaId());
                case HANG -> "HUNG, " + apply(ledger, key, spec, context.sagaId());
                case THROW -> "THREW";
                case REJECT -> "REJECTED";
            };
            ledger.lastActionResult = result;
        } else {
            ledger.compensationKeys.add(key);
            ledger.compensationCalls++;
            behaviour = spec.compensation(call);
            if (behaviour == Behaviour.THROW) {
                result = "THREW";
            } else if (!ledger.applied()) {
                result = "UNDO_NOTHING";
            } else if (ledger.undoneBy.contains(key)) {
                result = "UNDO_DEDUPED";
            } else {
                ledger.undoneBy.add(key);
                result = "UNDONE";
            }
            ledger.lastCompensationResult = result;
        }
        calls.add(new Call(++sequence, context.sagaId(), spec.name(), shape.indexOf(spec.name()), kind, key,
                context.attempt(), result, Thread.currentThread().getName()));
        return behaviour;
    }

    private String apply(StepLedger ledger, String key, StepSpec spec, String sagaId) {
        if (ledger.appliedBy.contains(key)) {
            return "DEDUPED";
        }
        if (ledger.undone()) {
            violations.add("the effect of step '" + spec.name() + "' of " + sagaId + " was applied (key " + key
                    + ") after it had been compensated");
        }
        ledger.appliedBy.add(key);
        return "APPLIED";
    }

    private StepLedger ledger(String sagaId, String step) {
        return ledgers.computeIfAbsent(sagaId + "/" + step, k -> new StepLedger());
    }

    // ---------------------------------------------------------------- reading

    /** The ledger of one step of one instance (empty if the participant never heard of it). */
    public synchronized StepLedger ledgerOf(String sagaId, String step) {
        return ledger(sagaId, step);
    }

    /** Every call, in order. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The calls concerning one instance, in order. */
    public synchronized List<Call> calls(String sagaId) {
        return calls.stream().filter(c -> c.sagaId().equals(sagaId)).toList();
    }

    /** Violations the participants saw themselves (calls from a dead node, effects after compensation). */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** The instances the participants heard of. */
    public synchronized Set<String> sagaIds() {
        return calls.stream().map(Call::sagaId).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** One line per call, for assertion messages. */
    public synchronized String describe(String sagaId) {
        return calls.stream().filter(c -> sagaId == null || c.sagaId().equals(sagaId)).map(Call::toString)
                .collect(Collectors.joining("\n  ", "  ", ""));
    }
}
