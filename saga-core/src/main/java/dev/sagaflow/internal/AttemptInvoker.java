package dev.sagaflow.internal;

import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.TransactionalSagaStore;
import dev.sagaflow.store.TransactionalSagaStore.LocalWorkException;
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
        try {
            log.debug("running {} attempt {}", context.isCompensation() ? "compensation" : "action", context.attempt());
            if (attempt.local()) {
                invokeLocal(run, attempt);
                return;
            }
            beforeAttempt(run, context);
            CompletionStage<D> stage;
            attempt.enter();
            try {
                stage = attempt.handler().apply(attempt.data(), context);
            } finally {
                attempt.exit();
            }
            if (stage == null) {
                finish(run, attempt, null, new IllegalStateException("asynchronous handler returned a null stage"));
                return;
            }
            stage.whenComplete((result, error) -> finish(run, attempt, result, SagaRun.unwrap(error)));
        } catch (Throwable error) {
            finish(run, attempt, null, error);
        } finally {
            restoreMdc(previousStep);
        }
    }

    private static <D> void finish(SagaRun<D> run, Attempt<D> attempt, D result, Throwable error) {
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
        boolean committed;
        try {
            committed = store.updateWithLocalWork(attempt.version(), connection -> localWork(run, attempt,
                    attempt.context().withConnection(connection)));
        } catch (LocalWorkException e) {
            // The work threw, or found the attempt overtaken; either way it rolled back. A late attempt is ignored.
            finish(run, attempt, null, e.getCause() instanceof StaleAttempt ? e : e.getCause());
            return;
        } catch (RuntimeException e) {
            // The store failed around the work: it rolled back unless the commit itself was lost.
            attempt.markReturned();
            if (run.landed(attempt.decided())) {
                run.localCommitted(attempt);
            } else {
                run.localRolledBack(attempt, false, e);
            }
            return;
        }
        attempt.markReturned();
        if (committed) {
            run.localCommitted(attempt);
        } else {
            run.localRolledBack(attempt, true, null);
        }
    }

    private static <D> InstanceWrite localWork(SagaRun<D> run, Attempt<D> attempt, AttemptContext context)
            throws Exception {
        beforeAttempt(run, context);
        D result;
        attempt.enter();
        try {
            result = attempt.handler().apply(attempt.data(), context).toCompletableFuture().getNow(null);
        } finally {
            attempt.exit();
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
