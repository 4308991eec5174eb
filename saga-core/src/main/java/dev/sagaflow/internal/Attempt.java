package dev.sagaflow.internal;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.internal.Transitions.ProbeCause;
import dev.sagaflow.internal.Transitions.Transition;
import java.time.Instant;

/**
 * One attempt of a step's action or compensation: what it runs on, and the thread that runs it while a
 * synchronous handler is inside its call, so that a timeout can interrupt it. Mutable only through its
 * synchronized methods.
 *
 * @param <D> the saga data type
 */
final class Attempt<D> {
    private final long token;
    private final int index;
    private final boolean compensation;
    private final AttemptContext context;
    private final D data;
    private final long version;
    private final Instant timeoutAt;
    private final Handler<D> handler;
    private final boolean local;
    private final SagaDefinition.Command<D> command;
    private final ProbeCause probe;
    private final Throwable cause;

    // Guarded by this.
    private Thread runner;
    /** Given up before or while it ran (a sibling branch failed, the saga was aborted, it timed out). */
    private boolean givenUp;
    private boolean interrupted;
    private boolean returned;
    private Transition decided;
    private boolean waitingForChild;

    Attempt(long token, int index, boolean compensation, AttemptContext context, D data, long version,
            Instant timeoutAt, Handler<D> handler, boolean local, SagaDefinition.Command<D> command, ProbeCause probe,
            Throwable cause) {
        this.token = token;
        this.index = index;
        this.compensation = compensation;
        this.context = context;
        this.data = data;
        this.version = version;
        this.timeoutAt = timeoutAt;
        this.handler = handler;
        this.local = local;
        this.command = command;
        this.probe = probe;
        this.cause = cause;
    }

    /** For a probe: why it is asked; {@code null} for an action's or compensation's attempt. */
    ProbeCause probe() {
        return probe;
    }

    /** For a probe asked after a timeout: the timeout. */
    Throwable cause() {
        return cause;
    }

    /** The command the attempt sends, for a command step; {@code null} when it runs a handler. */
    SagaDefinition.Command<D> command() {
        return command;
    }

    long token() {
        return token;
    }

    int index() {
        return index;
    }

    boolean compensation() {
        return compensation;
    }

    AttemptContext context() {
        return context;
    }

    D data() {
        return data;
    }

    /** The instance version the attempt was started under. */
    long version() {
        return version;
    }

    /** When the attempt times out (for an awaiting step: when its reply times out), or {@code null}. */
    Instant timeoutAt() {
        return timeoutAt;
    }

    Handler<D> handler() {
        return handler;
    }

    boolean local() {
        return local;
    }

    /** Gives the attempt up: a handler not called yet is never called (see {@link #enterUnlessGivenUp()}). */
    synchronized void giveUp() {
        givenUp = true;
    }

    /**
     * The handler is about to be called on the current thread, unless the attempt was given up before: then it is
     * not called at all, so that nothing asked about the step afterwards (a probe) races a late start.
     */
    synchronized boolean enterUnlessGivenUp() {
        if (givenUp) {
            return false;
        }
        runner = Thread.currentThread();
        return true;
    }

    /** The handler is about to be called on the current thread. */
    synchronized void enter() {
        runner = Thread.currentThread();
    }

    /**
     * The handler's call returned on the current thread. An interrupt this attempt's timeout sent is cleared, so
     * that it never reaches the next task of a pooled thread.
     */
    synchronized void exit() {
        runner = null;
        if (interrupted) {
            Thread.interrupted();
        }
    }

    /**
     * Interrupts the handler if it is still inside a synchronous call; returns whether it was (and so may still
     * run for a while).
     */
    synchronized boolean interruptIfRunning() {
        if (runner == null || (handler != null && !handler.synchronous())) {
            return false;
        }
        interrupted = true;
        runner.interrupt();
        return true;
    }

    /** Marks the attempt's outcome as arrived; returns whether it had not been marked before. */
    synchronized boolean markReturned() {
        boolean first = !returned;
        returned = true;
        return first;
    }

    synchronized boolean hasReturned() {
        return returned;
    }

    /** The attempt is a compensation that waits for its child saga to be undone; it runs no handler. */
    synchronized void waitsForChild() {
        waitingForChild = true;
    }

    synchronized boolean waitingForChild() {
        return waitingForChild;
    }

    /** For a local attempt: the transition decided inside its transaction. */
    synchronized void decided(Transition transition) {
        this.decided = transition;
    }

    synchronized Transition decided() {
        return decided;
    }
}
