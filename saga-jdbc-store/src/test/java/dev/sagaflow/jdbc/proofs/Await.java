package dev.sagaflow.jdbc.proofs;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition by polling it, up to a generous deadline that only bounds a hung test: no
 * assertion depends on how long anything took.
 */
final class Await {
    private static final long POLL_MILLIS = 25;

    private Await() {
    }

    /**
     * Polls {@code condition} until it holds.
     *
     * @throws AssertionError naming {@code what} and the last {@code state} if it does not hold within {@code limit}
     */
    static void until(String what, Duration limit, BooleanSupplier condition, Supplier<Object> state) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up after " + limit + " waiting until " + what + "; last seen: "
                        + state.get());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
    }

    static void until(String what, Duration limit, BooleanSupplier condition) {
        until(what, limit, condition, () -> "-");
    }
}
