package dev.sagaflow.internal;

import dev.sagaflow.AsyncStepAction;
import dev.sagaflow.StepAction;
import dev.sagaflow.StepContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The one handler type inside the runtime: an action or a compensation that returns a stage. Synchronous
 * handlers are adapted once, when a definition is registered: they run on the calling thread and return a
 * completed stage.
 *
 * @param <D> the saga data type
 */
interface Handler<D> {
    CompletionStage<D> apply(D data, StepContext context) throws Exception;

    /** Whether the handler does its work on the calling thread, before {@link #apply} returns. */
    boolean synchronous();

    static <D> Handler<D> of(StepAction<D> sync, AsyncStepAction<D> async) {
        if (sync != null) {
            return new Handler<>() {
                @Override
                public CompletionStage<D> apply(D data, StepContext context) throws Exception {
                    return CompletableFuture.completedFuture(sync.apply(data, context));
                }

                @Override
                public boolean synchronous() {
                    return true;
                }
            };
        }
        if (async != null) {
            return new Handler<>() {
                @Override
                public CompletionStage<D> apply(D data, StepContext context) throws Exception {
                    return async.apply(data, context);
                }

                @Override
                public boolean synchronous() {
                    return false;
                }
            };
        }
        return null;
    }
}
