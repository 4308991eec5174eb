package dev.sagaflow.spi;

import dev.sagaflow.StepContext;
import java.util.Map;

/**
 * Observes every attempt of every action and compensation from around the handler: for timings, a
 * span per attempt made current on the handler's thread, or a resource bound to that thread for the
 * duration of the handler (a local step's connection, for instance). Metrics, tracing and framework
 * integrations use it; plain {@link dev.sagaflow.SagaListener}s see transitions only after they were
 * written, and {@link StepInterceptor}s only before an attempt.
 *
 * <p>For each attempt the runtime calls, in this order:
 * <ol>
 *   <li>{@link #attemptStarting(StepContext)} on the thread that is about to run the handler, after the
 *       {@link StepInterceptor}s (an interceptor that throws fails the attempt before any observer is
 *       called); for a {@code local()} step, inside the store transaction, with
 *       {@link StepContext#connection()} available;</li>
 *   <li>the handler, with a context whose {@link StepContext#headers()} hold what every observer's
 *       {@link Scope#headers()} returned;</li>
 *   <li>{@link Scope#handlerReturned()} on the same thread, once the handler has returned or thrown (an
 *       asynchronous handler: once it has returned its stage), in reverse order of the observers;</li>
 *   <li>{@link Scope#attemptEnded(Throwable)} once the attempt's outcome is known, on any thread: when a
 *       synchronous handler returned, when an asynchronous handler's stage completed, and for a local
 *       step when its transaction committed or rolled back.</li>
 * </ol>
 *
 * <p>An exception thrown by an observer or a scope is caught and logged and never changes what the saga
 * does; an observer whose {@code attemptStarting} threw is not called again for that attempt.
 * Implementations must be thread-safe and quick: they run on the step's own path.
 */
@FunctionalInterface
public interface AttemptObserver {

    /**
     * An attempt is about to run its handler.
     *
     * @param context the attempt (saga, step, attempt number, whether it compensates; the local
     *     connection for a {@code local()} step)
     * @return the scope of this attempt, never {@code null} ({@link Scope#NOOP} to ignore it)
     */
    Scope attemptStarting(StepContext context);

    /** What an observer keeps of one attempt. Used by one attempt only; need not be thread-safe. */
    interface Scope {
        /** A scope that does nothing. */
        Scope NOOP = new Scope() {
        };

        /**
         * Headers this observer wants sent with the step's outgoing command (for instance W3C
         * {@code traceparent}), exposed to the handler as {@link StepContext#headers()}. Called once,
         * right after {@link #attemptStarting}. Default: none.
         */
        default Map<String, String> headers() {
            return Map.of();
        }

        /**
         * The handler has returned or thrown (an asynchronous one: returned its stage). Called on the
         * handler's thread: undo what {@code attemptStarting} bound to it. Default: nothing.
         */
        default void handlerReturned() {
        }

        /**
         * The attempt's outcome is known. Called once, on any thread, after {@link #handlerReturned()}.
         *
         * @param error what the attempt failed with, or {@code null} if it succeeded
         */
        default void attemptEnded(Throwable error) {
        }
    }
}
