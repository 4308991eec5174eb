package dev.sagaflow.internal;

import dev.sagaflow.OutcomeProbe;
import dev.sagaflow.ProbeOutcome;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.TransactionalSagaStore;
import dev.sagaflow.store.TransactionalSagaStore.LocalWorkException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Calls an attempt's handler, outside the run's lock, with the saga's id, name and step in the MDC, and hands
 * its outcome back to the run. A local step's handler runs inside the store transaction that records its
 * outcome: the transition is decided inside it and applied only once it has committed.
 */
final class AttemptInvoker {
    static final String MDC_SAGA_ID = "sagaId";
    static final String MDC_SAGA_NAME = "sagaName";
    static final String MDC_STEP = "sagaStep";
    private static final Logger log = LoggerFactory.getLogger(AttemptInvoker.class);

    private AttemptInvoker() {
    }

    static <D> void invoke(SagaRun<D> run, Attempt<D> attempt) {
        AttemptContext context = attempt.context();
        String previousStep = MDC.get(MDC_STEP);
        MDC.put(MDC_SAGA_ID, context.sagaId());
        MDC.put(MDC_SAGA_NAME, context.sagaName());
        MDC.put(MDC_STEP, context.stepName());
        ObservedAttempt observed = null;
        try {
            log.debug("running {} attempt {}", context.isCompensation() ? "compensation" : "action", context.attempt());
            if (attempt.probe() != null) {
                run.onProbe(attempt, probe(run.definition().steps().get(attempt.index()).probe(), attempt.data(),
                        context));
                return;
            }
            if (attempt.local()) {
                invokeLocal(run, attempt);
                return;
            }
            beforeAttempt(run, context);
            observed = ObservedAttempt.start(run.host().attemptObservers(), context);
            if (attempt.command() != null) {
                sendCommand(run, attempt, observed);
                return;
            }
            boolean child = run.definition().steps().get(attempt.index()).child() != null;
            if (child && !attempt.compensation()) {
                run.host().children().start(run, attempt, observed);
                return;
            }
            CompletionStage<D> stage;
            if (child) {
                stage = run.host().children().compensate(run, attempt);
                observed.handlerReturned();
            } else {
                if (!attempt.enterUnlessGivenUp()) {
                    // Given up before its handler was called: it never runs, and its outcome is ignored.
                    observed.handlerReturned();
                    finish(run, attempt, observed, null, new CancellationException("given up before it started"));
                    return;
                }
                try {
                    stage = attempt.handler().apply(attempt.data(), observed.context());
                } finally {
                    attempt.exit();
                    observed.handlerReturned();
                }
            }
            if (stage == null) {
                finish(run, attempt, observed, null, new IllegalStateException("asynchronous handler returned a null stage"));
                return;
            }
            ObservedAttempt observedAttempt = observed;
            stage.whenComplete((result, error) -> finish(run, attempt, observedAttempt, result, SagaRun.unwrap(error)));
        } catch (Throwable error) {
            finish(run, attempt, observed, null, error);
        } finally {
            restoreMdc(previousStep);
        }
    }

    /** A command step: builds its command, and the run records the step as sent with the message in the same write. */
    private static <D> void sendCommand(SagaRun<D> run, Attempt<D> attempt, ObservedAttempt observed) throws Exception {
        AttemptContext context = observed.context();
        Object command;
        attempt.enter();
        try {
            command = attempt.command().factory().command(attempt.data(), context);
        } finally {
            attempt.exit();
            observed.handlerReturned();
        }
        if (command == null) {
            throw new SagaRun.NullHandlerResult("the command of step '" + context.stepName() + "' is null");
        }
        RunHost host = run.host();
        String messageId = UUID.randomUUID().toString();
        Map<String, String> headers = new HashMap<>(context.headers());
        headers.put(OutboxMessage.IDEMPOTENCY_KEY_HEADER, context.idempotencyKey());
        headers.put(OutboxMessage.CORRELATION_ID_HEADER, context.correlationId());
        headers.put(OutboxMessage.MESSAGE_ID_HEADER, messageId);
        headers.put(OutboxMessage.SAGA_ID_HEADER, context.sagaId());
        headers.put(OutboxMessage.SAGA_NAME_HEADER, context.sagaName());
        headers.put(OutboxMessage.STEP_HEADER, context.stepName());
        OutboxMessage message = new OutboxMessage(messageId, context.sagaId(), context.sagaName(), context.stepName(),
                attempt.command().destination(), host.codec().encode(command), headers, host.now());
        ObservedAttempt.ended(observed, null);
        if (attempt.markReturned()) {
            run.onSent(attempt, List.of(message));
        }
    }

    /** Asks a step's probe; an exception, or no answer, counts as UNKNOWN. */
    static <D> ProbeOutcome probe(OutcomeProbe<D> probe, D data, AttemptContext context) {
        try {
            ProbeOutcome outcome = probe.probe(data, context);
            return outcome == null ? ProbeOutcome.UNKNOWN : outcome;
        } catch (Exception e) {
            log.warn("the probe of step '{}' of saga {} threw; its outcome stays unknown: {}", context.stepName(),
                    context.sagaId(), e.toString());
            return ProbeOutcome.UNKNOWN;
        }
    }

    private static <D> void finish(SagaRun<D> run, Attempt<D> attempt, ObservedAttempt observed, D result,
            Throwable error) {
        ObservedAttempt.ended(observed, error != null || result != null ? error
                : new SagaRun.NullHandlerResult("handler returned null data"));
        if (attempt.markReturned()) {
            run.onResult(attempt, result, error);
        }
    }

    private static void beforeAttempt(SagaRun<?> run, AttemptContext context) throws Exception {
        for (StepInterceptor interceptor : run.host().interceptors()) {
            interceptor.beforeAttempt(context);
        }
    }

    private static <D> void invokeLocal(SagaRun<D> run, Attempt<D> attempt) {
        TransactionalSagaStore store = (TransactionalSagaStore) run.host().store();
        ObservedAttempt[] observed = new ObservedAttempt[1];
        boolean committed;
        try {
            committed = store.updateWithLocalWork(attempt.version(), connection -> localWork(run, attempt,
                    attempt.context().withConnection(connection), observed));
        } catch (LocalWorkException e) {
            // The work threw, or found the attempt overtaken; either way it rolled back. A late attempt is ignored.
            finish(run, attempt, observed[0], null, e.getCause() instanceof StaleAttempt ? e : e.getCause());
            return;
        } catch (RuntimeException e) {
            // The store failed around the work: it rolled back unless the commit itself was lost.
            attempt.markReturned();
            boolean landed = run.landed(attempt.decided());
            ObservedAttempt.ended(observed[0], landed ? null : e);
            if (landed) {
                run.localCommitted(attempt);
            } else {
                run.localRolledBack(attempt, false, e);
            }
            return;
        }
        attempt.markReturned();
        ObservedAttempt.ended(observed[0], committed ? null : new IllegalStateException("the local step's"
                + " transaction was rolled back: the instance moved on"));
        if (committed) {
            run.localCommitted(attempt);
        } else {
            run.localRolledBack(attempt, true, null);
        }
    }

    private static <D> InstanceWrite localWork(SagaRun<D> run, Attempt<D> attempt, AttemptContext context,
            ObservedAttempt[] observed) throws Exception {
        beforeAttempt(run, context);
        observed[0] = ObservedAttempt.start(run.host().attemptObservers(), context);
        D result;
        attempt.enter();
        try {
            result = attempt.handler().apply(attempt.data(), observed[0].context()).toCompletableFuture().getNow(null);
        } finally {
            attempt.exit();
            observed[0].handlerReturned();
        }
        if (result == null) {
            throw new SagaRun.NullHandlerResult((attempt.compensation() ? "compensation" : "action")
                    + " returned null data");
        }
        InstanceWrite write = run.decideLocalSuccess(attempt, result);
        if (write == null) {
            throw new StaleAttempt();
        }
        return write;
    }

    private static void restoreMdc(String previousStep) {
        if (previousStep == null) {
            MDC.remove(MDC_STEP);
            MDC.remove(MDC_SAGA_ID);
            MDC.remove(MDC_SAGA_NAME);
        } else {
            MDC.put(MDC_STEP, previousStep);
        }
    }

    /** A local attempt found, inside its transaction, that it had been overtaken (timeout, abort). */
    static final class StaleAttempt extends RuntimeException {
        StaleAttempt() {
            super("stale attempt", null, false, false);
        }
    }
}
