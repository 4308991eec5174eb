package dev.sagaflow;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One step of a {@link SagaDefinition}: its name, kind, handlers and policies. Immutable and
 * thread-safe; built through {@link SagaDefinition.StepBuilder}.
 *
 * @param <D> the saga data type
 */
public final class StepDefinition<D> {
    private final String name;
    private final StepKind kind;
    private final StepAction<D> action;
    private final AsyncStepAction<D> asyncAction;
    private final StepAction<D> compensation;
    private final AsyncStepAction<D> asyncCompensation;
    private final RetryPolicy retryPolicy;
    private final RetryPolicy compensationRetryPolicy;
    private final Duration timeout;
    private final Class<?> replyType;
    private final ReplyMerger<D, Object> replyMerger;
    private final boolean local;
    private final List<Class<? extends Throwable>> rejectOn;
    private final SagaDefinition.Command<D> command;
    private final SagaDefinition.Command<D> compensationCommand;
    private final String group;
    private final OutcomeProbe<D> probe;

    @SuppressWarnings("unchecked")
    StepDefinition(String name, StepKind kind, StepAction<D> action, AsyncStepAction<D> asyncAction,
            StepAction<D> compensation, AsyncStepAction<D> asyncCompensation, RetryPolicy retryPolicy,
            RetryPolicy compensationRetryPolicy, Duration timeout, Class<?> replyType,
            ReplyMerger<D, ?> replyMerger, boolean local, List<Class<? extends Throwable>> rejectOn,
            SagaDefinition.Command<D> command, SagaDefinition.Command<D> compensationCommand, String group,
            OutcomeProbe<D> probe) {
        this.name = name;
        this.kind = kind;
        this.action = action;
        this.asyncAction = asyncAction;
        this.compensation = compensation;
        this.asyncCompensation = asyncCompensation;
        this.retryPolicy = retryPolicy;
        this.compensationRetryPolicy = compensationRetryPolicy;
        this.timeout = timeout;
        this.replyType = replyType;
        this.replyMerger = (ReplyMerger<D, Object>) replyMerger;
        this.local = local;
        this.rejectOn = List.copyOf(rejectOn);
        this.command = command;
        this.compensationCommand = compensationCommand;
        this.group = group;
        this.probe = probe;
    }

    /** The parallel group this step is a branch of, or {@code null} for a step of its own. */
    public String group() {
        return group;
    }

    /** The probe asked when the step's outcome is unknown, or {@code null}. */
    public OutcomeProbe<D> probe() {
        return probe;
    }

    /**
     * The command the step's action (or, with {@code compensation}, its compensation) sends through the outbox, or
     * {@code null} when it runs a handler instead. For the runtime.
     */
    public SagaDefinition.Command<D> command(boolean compensation) {
        return compensation ? compensationCommand : command;
    }

    /** Whether the step's action or compensation sends a command through the store's outbox. */
    public boolean sendsCommands() {
        return command != null || compensationCommand != null;
    }

    /**
     * Whether {@code error}, thrown by this step's action, is a business rejection: a {@link BusinessRejection},
     * or an instance of a type given to {@code rejectOn} (on the step or the saga). A rejection is never retried,
     * and the step is not compensated.
     */
    public boolean isRejection(Throwable error) {
        if (error instanceof BusinessRejection) {
            return true;
        }
        for (Class<? extends Throwable> type : rejectOn) {
            if (type.isInstance(error)) {
                return true;
            }
        }
        return false;
    }

    /** The exception types, besides {@link BusinessRejection}, that count as business rejections. */
    public List<Class<? extends Throwable>> rejectOn() {
        return rejectOn;
    }

    /**
     * Whether the step is local: its action and compensation run inside the store's transaction
     * that records their outcome, so they take effect exactly once.
     */
    public boolean isLocal() {
        return local;
    }

    /** The step's name, unique within its saga and stable across versions. */
    public String name() {
        return name;
    }

    /** The step's role. */
    public StepKind kind() {
        return kind;
    }

    /** Whether the step has a compensation. */
    public boolean hasCompensation() {
        return compensation != null || asyncCompensation != null || compensationCommand != null;
    }

    /** Whether the step waits for a reply after its action ran. */
    public boolean awaitsReply() {
        return replyType != null;
    }

    /** The type of the success reply's payload, for an awaiting step. */
    public Optional<Class<?>> replyType() {
        return Optional.ofNullable(replyType);
    }

    /** The policy for the action's attempts. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** The policy for the compensation's attempts. */
    public RetryPolicy compensationRetryPolicy() {
        return compensationRetryPolicy;
    }

    /** How long one attempt may take (for an awaiting step: until the reply), if limited. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** The synchronous action, or {@code null} if the action is asynchronous. For the runtime. */
    public StepAction<D> action() {
        return action;
    }

    /** The asynchronous action, or {@code null} if the action is synchronous. For the runtime. */
    public AsyncStepAction<D> asyncAction() {
        return asyncAction;
    }

    /** The synchronous compensation, or {@code null}. For the runtime. */
    public StepAction<D> compensation() {
        return compensation;
    }

    /** The asynchronous compensation, or {@code null}. For the runtime. */
    public AsyncStepAction<D> asyncCompensation() {
        return asyncCompensation;
    }

    /** The reply merger of an awaiting step, or {@code null}. For the runtime. */
    public ReplyMerger<D, Object> replyMerger() {
        return replyMerger;
    }

    @Override
    public String toString() {
        return "Step[" + name + " " + kind + (group != null ? " in " + group : "")
                + (command != null ? " sends to " + command.destination() : "")
                + (awaitsReply() ? " awaiting " + replyType.getSimpleName() : "")
                + (local ? " local" : "") + ", retry=" + retryPolicy + (timeout != null ? ", timeout=" + timeout : "") + "]";
    }
}
