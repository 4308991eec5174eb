package dev.sagaflow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A saga: a name, a version, a data type and ordered steps with unique, stable names. Immutable,
 * validated when built, and safe to share between threads. Start one with
 * {@link Saga#define(String, Class)}.
 *
 * <p>Every instance records the name, version and {@link #fingerprint()} of the definition that
 * started it, and is resumed only by a registered definition with the same three.
 *
 * @param <D> the saga data type (a record or a mutable POJO that the JSON codec can read and write)
 */
public final class SagaDefinition<D> {
    /** The longest saga or step name, in characters: what every store keeps. */
    public static final int MAX_NAME_LENGTH = 200;

    private final String name;
    private final int version;
    private final Class<D> dataType;
    private final List<StepDefinition<D>> steps;
    private final Duration timeout;
    private final int pivotIndex;
    private final List<ParallelGroup<D>> groups;
    private final String fingerprint;

    private SagaDefinition(Builder<D> builder, List<StepDefinition<D>> steps, int pivotIndex,
            List<ParallelGroup<D>> groups) {
        this.name = builder.name;
        this.version = builder.version;
        this.dataType = builder.dataType;
        this.steps = List.copyOf(steps);
        this.timeout = builder.timeout;
        this.pivotIndex = pivotIndex;
        this.groups = List.copyOf(groups);
        this.fingerprint = fingerprintOf(name, version, this.steps);
    }

    /** The parallel groups, in order. */
    public List<ParallelGroup<D>> groups() {
        return groups;
    }

    /** The parallel group step {@code index} belongs to, if any. */
    public Optional<ParallelGroup<D>> groupOf(int index) {
        for (ParallelGroup<D> group : groups) {
            if (group.contains(index)) {
                return Optional.of(group);
            }
        }
        return Optional.empty();
    }

    /**
     * Steps that run at the same time, each with its own action, compensation, retries, timeout and reply: the
     * group succeeds when every branch has; see {@link Builder#parallel(String, BranchMerger, Consumer)}.
     * Immutable.
     *
     * @param name the group's name, unique among the saga's steps and groups
     * @param first the index of its first branch in {@link #steps()}
     * @param end the index after its last branch
     * @param maxParallel how many branches run at once at most
     * @param merger merges each branch's result into the data
     * @param <D> the saga data type
     */
    public record ParallelGroup<D>(String name, int first, int end, int maxParallel, BranchMerger<D> merger) {
        /** Whether step {@code index} is one of this group's branches. */
        public boolean contains(int index) {
            return index >= first && index < end;
        }
    }

    /** The saga's name. */
    public String name() {
        return name;
    }

    /** The definition's version, from 1. */
    public int version() {
        return version;
    }

    /** The saga data type. */
    public Class<D> dataType() {
        return dataType;
    }

    /** The steps, in order. */
    public List<StepDefinition<D>> steps() {
        return steps;
    }

    /** The step named {@code stepName}, if any. */
    public Optional<StepDefinition<D>> step(String stepName) {
        return steps.stream().filter(s -> s.name().equals(stepName)).findFirst();
    }

    /** The index of the pivot step, or -1 when the saga has none (every step is then compensatable). */
    public int pivotIndex() {
        return pivotIndex;
    }

    /** How long a whole instance may run before it is aborted (if its pivot has not succeeded yet). */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** A hash of the name, the version and the step names and kinds, recorded with every instance. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The step names, in order. */
    public List<String> stepNames() {
        return steps.stream().map(StepDefinition::name).toList();
    }

    @Override
    public String toString() {
        return "SagaDefinition[" + name + " v" + version + ", data=" + dataType.getSimpleName() + ", steps="
                + stepNames() + (timeout != null ? ", timeout=" + timeout : "") + "]";
    }

    private static String fingerprintOf(String name, int version, List<? extends StepDefinition<?>> steps) {
        StringBuilder text = new StringBuilder(name).append('\n').append(version);
        for (StepDefinition<?> step : steps) {
            text.append('\n').append(step.name()).append('|').append(step.kind()).append('|').append(step.awaitsReply());
            if (step.group() != null) {
                text.append("|in ").append(step.group());
            }
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Builds a {@link SagaDefinition}. Not thread-safe; {@link #build()} validates everything and
     * copies, so later calls on the builder never change a definition already built.
     *
     * @param <D> the saga data type
     */
    public static final class Builder<D> {
        private final String name;
        private final Class<D> dataType;
        private final List<StepBuilder<D>> steps = new ArrayList<>();
        private int version = 1;
        private Duration timeout;
        private final List<Class<? extends Throwable>> rejectOn = new ArrayList<>();
        private final List<Branches<D>> groups = new ArrayList<>();

        Builder(String name, Class<D> dataType) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("saga name cannot be null or blank");
            }
            checkName(name, "saga name '" + shorten(name) + "'");
            if (dataType == null) {
                throw new IllegalArgumentException("saga '" + name + "': data type cannot be null");
            }
            this.name = name;
            this.dataType = dataType;
        }

        /** The definition's version (default 1). Bump it when the steps change while instances may be live. */
        public Builder<D> version(int definitionVersion) {
            if (definitionVersion < 1) {
                throw new IllegalArgumentException("saga '" + name + "': version must be >= 1, was " + definitionVersion);
            }
            this.version = definitionVersion;
            return this;
        }

        /**
         * A deadline for the whole instance: if its pivot has not succeeded by then, it is aborted and compensates.
         *
         * @throws IllegalArgumentException if not > 0, or longer than {@value #MAX_TIMEOUT_DAYS} days
         */
        public Builder<D> timeout(Duration sagaTimeout) {
            this.timeout = checkTimeout(sagaTimeout, "saga '" + name + "': timeout");
            return this;
        }

        /**
         * Exception types that every step's action throws to say no for a business reason, as a
         * {@link BusinessRejection} does: never retried, not compensated. Steps may add their own with
         * {@link StepBuilder#rejectOn(Class[])}.
         */
        @SafeVarargs
        public final Builder<D> rejectOn(Class<? extends Throwable>... types) {
            addTypes(rejectOn, types, "saga '" + name + "': rejectOn");
            return this;
        }

        /** Adds a step (compensatable before the pivot, retriable after it). */
        public StepBuilder<D> step(String stepName) {
            StepBuilder<D> step = new StepBuilder<>(this, stepName, false, null);
            steps.add(step);
            return step;
        }

        /**
         * Adds a parallel group: the branches {@code branches} declares run at the same time (at most
         * {@link Branches#maxParallel(int)} at once), each with its own action, compensation, retries, timeout and
         * reply. The group succeeds when every branch has; each branch's result is merged into the data with
         * {@code merger} as it succeeds. When a branch gives up, the group is given up at once: branches not started
         * never start, branches waiting for a retry or a reply give up, and branches whose attempt is still under
         * way are overtaken (their late result is ignored) and count as possibly done. Then every branch that took
         * effect, or may have, is compensated, newest completion first, one at a time, before the steps before the
         * group. A group of k branches costs k writes, as k steps would.
         *
         * @throws IllegalArgumentException if the name is blank or the group has no branch
         */
        public Builder<D> parallel(String groupName, BranchMerger<D> merger, Consumer<Branches<D>> branches) {
            if (groupName == null || groupName.isBlank()) {
                throw new IllegalArgumentException("saga '" + name + "': a parallel group needs a name");
            }
            checkName(groupName, "saga '" + name + "' group '" + shorten(groupName) + "'");
            if (merger == null || branches == null) {
                throw new IllegalArgumentException("saga '" + name + "' group '" + groupName
                        + "': merger and branches cannot be null");
            }
            Branches<D> group = new Branches<>(this, groupName, merger);
            branches.accept(group);
            if (group.steps.isEmpty()) {
                throw new IllegalArgumentException("saga '" + name + "' group '" + groupName + "' has no branches");
            }
            groups.add(group);
            steps.addAll(group.steps);
            return this;
        }

        /** Adds the pivot: the go/no-go step after which the saga must finish. At most one per saga. */
        public StepBuilder<D> pivot(String stepName) {
            StepBuilder<D> step = new StepBuilder<>(this, stepName, true, null);
            steps.add(step);
            return step;
        }

        /**
         * Validates and builds the definition.
         *
         * @throws IllegalArgumentException naming the saga and the step, for: no steps, a blank or
         *     duplicate step name, a step without an action, more than one pivot, a compensation on
         *     the pivot or on a step after it
         */
        public SagaDefinition<D> build() {
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("saga '" + name + "' has no steps");
            }
            int pivot = -1;
            Set<String> names = new HashSet<>();
            for (int i = 0; i < steps.size(); i++) {
                StepBuilder<D> step = steps.get(i);
                if (step.name == null || step.name.isBlank()) {
                    throw new IllegalArgumentException("saga '" + name + "': step " + (i + 1) + " has a blank name");
                }
                checkName(step.name, "saga '" + name + "' step " + (i + 1) + " name '" + shorten(step.name) + "'");
                if (!names.add(step.name)) {
                    throw new IllegalArgumentException(where(step) + "duplicate step name");
                }
                if (step.isPivot) {
                    if (pivot >= 0) {
                        throw new IllegalArgumentException(where(step) + "a saga has at most one pivot, and '"
                                + steps.get(pivot).name + "' is already one");
                    }
                    pivot = i;
                }
            }
            List<StepDefinition<D>> built = new ArrayList<>(steps.size());
            for (int i = 0; i < steps.size(); i++) {
                built.add(steps.get(i).toDefinition(pivot >= 0 && i > pivot, rejectOn));
            }
            List<ParallelGroup<D>> parallel = new ArrayList<>();
            for (Branches<D> group : groups) {
                if (!names.add(group.name)) {
                    throw new IllegalArgumentException("saga '" + name + "' group '" + group.name
                            + "': its name is already a step's or another group's");
                }
                int first = steps.indexOf(group.steps.get(0));
                parallel.add(new ParallelGroup<>(group.name, first, first + group.steps.size(),
                        Math.min(group.maxParallel, group.steps.size()), group.merger));
            }
            return new SagaDefinition<>(this, built, pivot, parallel);
        }

        private String where(StepBuilder<D> step) {
            return "saga '" + name + "' step '" + step.name + "': ";
        }
    }

    /**
     * Declares the branches of a parallel group ({@link Builder#parallel(String, BranchMerger, Consumer)}): each
     * {@link #step(String)} is a branch, configured like any step; a branch's {@code step} adds the next branch.
     * Not thread-safe.
     *
     * @param <D> the saga data type
     */
    public static final class Branches<D> {
        private final Builder<D> saga;
        private final String name;
        private final BranchMerger<D> merger;
        private final List<StepBuilder<D>> steps = new ArrayList<>();
        private int maxParallel = Integer.MAX_VALUE;

        Branches(Builder<D> saga, String name, BranchMerger<D> merger) {
            this.saga = saga;
            this.name = name;
            this.merger = merger;
        }

        /** Adds a branch. */
        public StepBuilder<D> step(String stepName) {
            StepBuilder<D> step = new StepBuilder<>(saga, stepName, false, this);
            steps.add(step);
            return step;
        }

        /**
         * How many branches run at once at most (default: all); the others start as running ones succeed.
         *
         * @throws IllegalArgumentException if {@code max < 1}
         */
        public Branches<D> maxParallel(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("saga '" + saga.name + "' group '" + name
                        + "': maxParallel must be >= 1, was " + max);
            }
            this.maxParallel = max;
            return this;
        }
    }

    /**
     * Configures one step; the {@code step}, {@code pivot} and {@code build} methods finish it and go
     * on with the saga. Not thread-safe. Setting the same thing twice is an error, so that nothing
     * given is silently dropped.
     *
     * @param <D> the saga data type
     */
    public static final class StepBuilder<D> {
        private final Builder<D> saga;
        private final String name;
        private final boolean isPivot;
        private StepAction<D> action;
        private AsyncStepAction<D> asyncAction;
        private StepAction<D> compensation;
        private AsyncStepAction<D> asyncCompensation;
        private RetryPolicy retryPolicy;
        private RetryPolicy compensationRetryPolicy;
        private Duration timeout;
        private Class<?> replyType;
        private ReplyMerger<D, ?> replyMerger;
        private boolean local;
        private final List<Class<? extends Throwable>> rejectOn = new ArrayList<>();
        private Command<D> command;
        private Command<D> compensationCommand;

        private final Branches<D> group;
        private OutcomeProbe<D> probe;

        StepBuilder(Builder<D> saga, String name, boolean isPivot, Branches<D> group) {
            this.saga = saga;
            this.name = name;
            this.isPivot = isPivot;
            this.group = group;
        }

        /**
         * Asks the participant, when this step's outcome is unknown (its attempt timed out, or a crash lost its
         * answer), whether the action took effect, before the step is retried or compensated:
         * {@link ProbeOutcome#APPLIED} goes on as a success, {@link ProbeOutcome#NOT_APPLIED} retries it (if its
         * policy allows) and never compensates it, {@link ProbeOutcome#UNKNOWN} counts it as possibly done. Also
         * asked before compensating a step that failed as possibly done. Each answer is recorded in the history.
         */
        public StepBuilder<D> probe(OutcomeProbe<D> outcomeProbe) {
            checkUnset(probe, "probe");
            this.probe = notNull(outcomeProbe, "probe");
            return this;
        }

        /**
         * Makes the step's action the sending of a command to a participant, through the store's transactional
         * outbox: the command ({@code command} applied to the saga data) is written to the outbox in the same
         * atomic write as the checkpoint that records the step as sent, so it is sent if and only if the step was
         * recorded, at least once (a relay publishes it to a broker; see {@code dev.sagaflow.messaging}). The
         * message carries the step's idempotency key and correlation id as headers. With
         * {@link #awaitReply(Class, ReplyMerger)} the step then waits for the participant's reply; without, it
         * succeeds once the command is recorded. Needs a store that keeps an outbox ({@code OutboxStore}: the
         * in-memory and JDBC stores). Instead of an action.
         *
         * @param destination where the command goes, in the sender's terms (a queue, a topic, an exchange and key)
         */
        public StepBuilder<D> send(String destination, CommandFactory<D> commandFactory) {
            checkUnsetAction();
            this.command = new Command<>(checkDestination(destination), notNull(commandFactory, "command"));
            return this;
        }

        /**
         * Makes the step's compensation the sending of a command (a cancellation) through the outbox, as
         * {@link #send(String, CommandFactory)} does for the action; the compensation succeeds once the command is
         * recorded. Instead of a compensation.
         */
        public StepBuilder<D> compensationSend(String destination, CommandFactory<D> commandFactory) {
            checkUnsetCompensation();
            this.compensationCommand = new Command<>(checkDestination(destination), notNull(commandFactory,
                    "compensation command"));
            return this;
        }

        private String checkDestination(String destination) {
            if (destination == null || destination.isBlank()) {
                throw new IllegalArgumentException(where() + "destination cannot be null or blank");
            }
            return destination;
        }

        /** The step's synchronous action. */
        public StepBuilder<D> action(StepAction<D> stepAction) {
            checkUnsetAction();
            this.action = notNull(stepAction, "action");
            return this;
        }

        /** The step's asynchronous action. */
        public StepBuilder<D> asyncAction(AsyncStepAction<D> stepAction) {
            checkUnsetAction();
            this.asyncAction = notNull(stepAction, "action");
            return this;
        }

        /** The synchronous compensation that undoes the action. Not allowed on or after the pivot. */
        public StepBuilder<D> compensation(StepAction<D> stepCompensation) {
            checkUnsetCompensation();
            this.compensation = notNull(stepCompensation, "compensation");
            return this;
        }

        /** The asynchronous compensation that undoes the action. Not allowed on or after the pivot. */
        public StepBuilder<D> asyncCompensation(AsyncStepAction<D> stepCompensation) {
            checkUnsetCompensation();
            this.asyncCompensation = notNull(stepCompensation, "compensation");
            return this;
        }

        /**
         * How the action is retried. Default: {@link RetryPolicy#none()} before and on the pivot;
         * after it, {@code exponential(100 ms, 10)}.
         */
        public StepBuilder<D> retry(RetryPolicy policy) {
            checkUnset(retryPolicy, "retry policy");
            this.retryPolicy = notNull(policy, "retry policy");
            return this;
        }

        /** How the compensation is retried. Default: {@code exponential(100 ms, 10)}. */
        public StepBuilder<D> compensationRetry(RetryPolicy policy) {
            checkUnset(compensationRetryPolicy, "compensation retry policy");
            this.compensationRetryPolicy = notNull(policy, "compensation retry policy");
            return this;
        }

        /**
         * How long one attempt may take (for an awaiting step: from the start of the attempt until
         * the reply). An attempt that times out may have taken effect, so the step is compensated if
         * the saga rolls back. Default: no limit.
         */
        public StepBuilder<D> timeout(Duration attemptTimeout) {
            checkUnset(timeout, "timeout");
            this.timeout = checkTimeout(attemptTimeout, where() + "timeout");
            return this;
        }

        /**
         * Exception types that this step's action throws to say no for a business reason, as a
         * {@link BusinessRejection} does: the step fails at once (no retry, whatever its policy says) and is not
         * compensated; the saga compensates the steps before it. Adds to the saga's {@code rejectOn} types.
         */
        @SafeVarargs
        public final StepBuilder<D> rejectOn(Class<? extends Throwable>... types) {
            addTypes(rejectOn, types, where() + "rejectOn");
            return this;
        }

        /**
         * Makes this an awaiting step: after the action (which sends a command) returns, the step
         * waits durably for a reply; a success reply's payload, converted to {@code type}, is merged
         * into the data with {@code merger}; a failure reply fails the step without retries.
         */
        public <R> StepBuilder<D> awaitReply(Class<R> type, ReplyMerger<D, R> merger) {
            checkUnset(replyType, "awaited reply");
            this.replyType = notNull(type, "reply type");
            this.replyMerger = notNull(merger, "reply merger");
            return this;
        }

        /**
         * Makes this a local step: its work lives in the same database as the saga store, so its
         * (synchronous) action and compensation run inside the store transaction that records their
         * outcome and get its connection from {@link StepContext#connection()}. The work and the
         * checkpoint commit or roll back together: the step takes effect exactly once, not at least
         * once. Needs a store that implements {@code TransactionalSagaStore} (the JDBC store).
         */
        public StepBuilder<D> local() {
            if (local) {
                throw new IllegalStateException(where() + "local is already set");
            }
            this.local = true;
            return this;
        }

        /** Makes this an awaiting step whose success reply carries nothing to merge. */
        public StepBuilder<D> awaitReply() {
            return awaitReply(Object.class, (data, reply) -> data);
        }

        /** Finishes this step and adds the next one (in a parallel group: the next branch). */
        public StepBuilder<D> step(String stepName) {
            return group != null ? group.step(stepName) : saga.step(stepName);
        }

        /**
         * Finishes this step and adds the pivot.
         *
         * @throws IllegalStateException inside a parallel group, where the pivot cannot be
         */
        public StepBuilder<D> pivot(String stepName) {
            checkOutsideGroup("pivot");
            return saga.pivot(stepName);
        }

        /**
         * Finishes this step and adds a parallel group; see {@link Builder#parallel(String, BranchMerger, Consumer)}.
         *
         * @throws IllegalStateException inside a parallel group (groups do not nest)
         */
        public Builder<D> parallel(String groupName, BranchMerger<D> merger, Consumer<Branches<D>> branches) {
            checkOutsideGroup("parallel group");
            return saga.parallel(groupName, merger, branches);
        }

        /**
         * Finishes this step and builds the saga; see {@link Builder#build()}.
         *
         * @throws IllegalStateException inside a parallel group: build the saga after the group
         */
        public SagaDefinition<D> build() {
            checkOutsideGroup("build()");
            return saga.build();
        }

        private void checkOutsideGroup(String what) {
            if (group != null) {
                throw new IllegalStateException(where() + "is a branch of parallel group '" + group.name + "'; a "
                        + what + " cannot be declared inside a group");
            }
        }

        StepDefinition<D> toDefinition(boolean afterPivot, List<Class<? extends Throwable>> sagaRejectOn) {
            if (action == null && asyncAction == null && command == null) {
                throw new IllegalArgumentException(where() + "has no action");
            }
            boolean compensated = compensation != null || asyncCompensation != null || compensationCommand != null;
            if (local && (command != null || compensationCommand != null)) {
                throw new IllegalArgumentException(where() + "a local step's work is in the store's database; it"
                        + " cannot send commands");
            }
            if (local && (asyncAction != null || asyncCompensation != null || replyType != null)) {
                throw new IllegalArgumentException(where() + "a local step runs inside the store's transaction, so its"
                        + " action and compensation must be synchronous and it cannot await a reply");
            }
            if (compensated && (isPivot || afterPivot)) {
                throw new IllegalArgumentException(where() + (isPivot ? "the pivot" : "a step after the pivot")
                        + " cannot have a compensation: once the pivot succeeds the saga must finish");
            }
            StepKind kind = isPivot ? StepKind.PIVOT
                    : afterPivot ? StepKind.RETRIABLE
                    : compensated ? StepKind.COMPENSATABLE : StepKind.UNCOMPENSATED;
            RetryPolicy defaultRetry = kind == StepKind.RETRIABLE ? DEFAULT_RETRIABLE : RetryPolicy.none();
            return new StepDefinition<>(name, kind, action, asyncAction, compensation, asyncCompensation,
                    retryPolicy != null ? retryPolicy : defaultRetry,
                    compensationRetryPolicy != null ? compensationRetryPolicy : DEFAULT_COMPENSATION,
                    timeout, replyType, replyMerger, local, concat(sagaRejectOn, rejectOn), command,
                    compensationCommand, group == null ? null : group.name, probe);
        }

        private void checkUnsetAction() {
            if (action != null || asyncAction != null || command != null) {
                throw new IllegalStateException(where() + "action is already set");
            }
        }

        private void checkUnsetCompensation() {
            if (compensation != null || asyncCompensation != null || compensationCommand != null) {
                throw new IllegalStateException(where() + "compensation is already set");
            }
        }

        private void checkUnset(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(where() + what + " is already set");
            }
        }

        private <T> T notNull(T value, String what) {
            if (value == null) {
                throw new IllegalArgumentException(where() + what + " cannot be null");
            }
            return value;
        }

        private String where() {
            return "saga '" + saga.name + "' step '" + name + "': ";
        }
    }

    /** The longest step or saga timeout, in days. */
    public static final int MAX_TIMEOUT_DAYS = 3650;

    private static Duration checkTimeout(Duration value, String what) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be > 0, was " + value);
        }
        if (value.compareTo(Duration.ofDays(MAX_TIMEOUT_DAYS)) > 0) {
            throw new IllegalArgumentException(what + " must be at most " + MAX_TIMEOUT_DAYS + " days, was " + value);
        }
        return value;
    }

    private static void checkName(String value, String what) {
        if (value.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " is " + value.length() + " characters long; at most "
                    + MAX_NAME_LENGTH + " fit in a store");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(what + " contains a control character (U+"
                        + String.format("%04X", (int) value.charAt(i)) + ")");
            }
        }
    }

    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }

    private static void addTypes(List<Class<? extends Throwable>> into, Class<? extends Throwable>[] types,
            String what) {
        if (types == null || types.length == 0) {
            throw new IllegalArgumentException(what + " needs at least one exception type");
        }
        for (Class<? extends Throwable> type : types) {
            if (type == null) {
                throw new IllegalArgumentException(what + ": an exception type cannot be null");
            }
            into.add(type);
        }
    }

    private static List<Class<? extends Throwable>> concat(List<Class<? extends Throwable>> a,
            List<Class<? extends Throwable>> b) {
        List<Class<? extends Throwable>> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * A command a step sends: where, and how it is built from the data.
     *
     * @param destination where it goes
     * @param factory builds it
     * @param <D> the saga data type
     */
    public record Command<D>(String destination, CommandFactory<D> factory) {
    }

    private static final RetryPolicy DEFAULT_RETRIABLE = RetryPolicy.exponential(Duration.ofMillis(100), 10);
    private static final RetryPolicy DEFAULT_COMPENSATION = RetryPolicy.exponential(Duration.ofMillis(100), 10);
}
