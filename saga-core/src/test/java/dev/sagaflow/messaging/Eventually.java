package dev.sagaflow.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits in tests for something other threads do: polls a condition every 10 ms, and fails after a deadline. */
public final class Eventually {
    private Eventually() {
    }

    /** Returns once {@code condition} holds; fails the test if it does not within {@code within}. */
    public static void eventually(BooleanSupplier condition, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within " + within).isLessThan(end);
            Thread.sleep(10);
        }
    }
}
