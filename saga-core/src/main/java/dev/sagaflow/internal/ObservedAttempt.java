package dev.sagaflow.internal;

import dev.sagaflow.spi.AttemptObserver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt as its {@link AttemptObserver}s see it: opened before the handler, told when the handler
 * returned and how the attempt ended. Shields the run from exceptions thrown by observers.
 */
final class ObservedAttempt {
    private static final Logger log = LoggerFactory.getLogger(ObservedAttempt.class);
    private static final ObservedAttempt NONE = new ObservedAttempt(null, new AttemptObserver.Scope[0]);

    private final AttemptContext context;
    private final AttemptObserver.Scope[] scopes;
    private boolean returned;
    private boolean ended;

    private ObservedAttempt(AttemptContext context, AttemptObserver.Scope[] scopes) {
        this.context = context;
        this.scopes = scopes;
    }

    /** Calls every observer's {@code attemptStarting}; the returned attempt's {@link #context()} carries their headers. */
    static ObservedAttempt start(List<AttemptObserver> observers, AttemptContext context) {
        if (observers.isEmpty()) {
            return new ObservedAttempt(context, NONE.scopes);
        }
        AttemptObserver.Scope[] scopes = new AttemptObserver.Scope[observers.size()];
        Map<String, String> headers = null;
        for (int i = 0; i < scopes.length; i++) {
            AttemptObserver.Scope scope = AttemptObserver.Scope.NOOP;
            try {
                scope = observers.get(i).attemptStarting(context);
                Map<String, String> contributed = scope.headers();
                if (!contributed.isEmpty()) {
                    headers = headers == null ? new HashMap<>() : headers;
                    headers.putAll(contributed);
                }
            } catch (Throwable t) {
                log.warn("attempt observer {} threw on step '{}' of saga {}; ignored", observers.get(i),
                        context.stepName(), context.sagaId(), t);
            }
            scopes[i] = scope == null ? AttemptObserver.Scope.NOOP : scope;
        }
        return new ObservedAttempt(headers == null ? context : context.withHeaders(headers), scopes);
    }

    /** The context to give the handler. */
    AttemptContext context() {
        return context;
    }

    /** The handler returned (or returned its stage); on the handler's thread, innermost scope first. */
    void handlerReturned() {
        if (returned) {
            return;
        }
        returned = true;
        for (int i = scopes.length - 1; i >= 0; i--) {
            try {
                scopes[i].handlerReturned();
            } catch (Throwable t) {
                log.warn("attempt observer scope {} threw in handlerReturned; ignored", scopes[i], t);
            }
        }
    }

    /** {@link #ended(Throwable)} on {@code attempt} unless it is null (the attempt failed before its observers were called). */
    static void ended(ObservedAttempt attempt, Throwable error) {
        if (attempt != null) {
            attempt.ended(error);
        }
    }

    /** The attempt's outcome is known; only the first call counts. */
    void ended(Throwable error) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        for (int i = scopes.length - 1; i >= 0; i--) {
            try {
                scopes[i].attemptEnded(error);
            } catch (Throwable t) {
                log.warn("attempt observer scope {} threw in attemptEnded; ignored", scopes[i], t);
            }
        }
    }
}
