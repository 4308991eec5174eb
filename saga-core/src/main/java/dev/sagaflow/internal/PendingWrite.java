package dev.sagaflow.internal;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.internal.Transitions.Event;
import dev.sagaflow.internal.Transitions.Transition;
import java.time.Duration;

/**
 * A decided transition whose write failed with the store unavailable (or with an unknown outcome): kept, as it
 * is, until the store answers again, and then written, or found written. Immutable.
 *
 * @param transition the transition to write
 * @param cause the event it records
 * @param error the last failure
 * @param failures how many times in a row writing it failed
 */
record PendingWrite(Transition transition, Event cause, RuntimeException error, int failures) {

    PendingWrite(Transition transition, Event cause, RuntimeException error) {
        this(transition, cause, error, 1);
    }

    /** The same write after one more failure. */
    PendingWrite failedAgain(RuntimeException again) {
        return new PendingWrite(transition, cause, again, failures + 1);
    }

    /** The same count of failures for another transition (a rebased one). */
    PendingWrite carrying(Transition other, Event otherCause, RuntimeException again) {
        return new PendingWrite(other, otherCause, again, failures + 1);
    }

    /** How long to wait before the next try: the store-outage policy's delay after this many failures. */
    Duration delay(RetryPolicy backoff) {
        return backoff.delayBefore(failures + 1);
    }
}
