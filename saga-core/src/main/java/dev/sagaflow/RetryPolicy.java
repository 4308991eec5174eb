package dev.sagaflow;

import dev.sagaflow.internal.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * How often, and how far apart, a step's action or compensation is attempted. Immutable and
 * thread-safe: every {@code with...} method returns a new policy.
 *
 * <p>The delay before attempt {@code n + 1} is {@code initialDelay * multiplier^(n - 1)}, capped at
 * {@code maxDelay}, then spread by up to {@code ± jitter} of itself so that many sagas failing
 * together do not retry in lockstep. A {@link BusinessRejection} is never retried, whatever the
 * policy says; other exceptions are retried while {@code retryOn} accepts them and attempts remain.
 *
 * <p>Every delay is at most {@value #MAX_DELAY_DAYS} days, checked when the policy is made, so a policy
 * that was accepted never fails inside a running saga.
 */
public final class RetryPolicy {
    /** The longest delay a policy accepts, in days. */
    public static final int MAX_DELAY_DAYS = 365;
    private static final Duration MAX_DELAY = Duration.ofDays(MAX_DELAY_DAYS);
    private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0, t -> false);

    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double multiplier;
    private final double jitter;
    private final Predicate<Throwable> retryOn;

    private RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, double multiplier, double jitter,
            Predicate<Throwable> retryOn) {
        this.maxAttempts = maxAttempts;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.retryOn = retryOn;
    }

    /** One attempt, never retried. The default for actions before the pivot. */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * Up to {@code maxAttempts} attempts, the first retry after {@code initialDelay}, each later delay
     * doubled, capped at one minute, with 20% jitter; every exception but a {@link BusinessRejection}
     * is retried.
     *
     * @throws IllegalArgumentException if {@code initialDelay} is null, negative or longer than
     *     {@value #MAX_DELAY_DAYS} days, or {@code maxAttempts < 1}
     */
    public static RetryPolicy exponential(Duration initialDelay, int maxAttempts) {
        Checks.atMost(Checks.notNegative(initialDelay, "initialDelay"), MAX_DELAY, "initialDelay");
        Checks.atLeast(maxAttempts, 1, "maxAttempts");
        Duration cap = initialDelay.compareTo(Duration.ofMinutes(1)) > 0 ? initialDelay : Duration.ofMinutes(1);
        return new RetryPolicy(maxAttempts, initialDelay, cap, 2.0, 0.2, t -> true);
    }

    /**
     * Up to {@code maxAttempts} attempts, {@code delay} apart, without jitter.
     *
     * @throws IllegalArgumentException if {@code delay} is null, negative or longer than
     *     {@value #MAX_DELAY_DAYS} days, or {@code maxAttempts < 1}
     */
    public static RetryPolicy fixed(Duration delay, int maxAttempts) {
        Checks.atMost(Checks.notNegative(delay, "delay"), MAX_DELAY, "delay");
        Checks.atLeast(maxAttempts, 1, "maxAttempts");
        return new RetryPolicy(maxAttempts, delay, delay, 1.0, 0.0, t -> true);
    }

    /** This policy with another attempt limit ({@code Integer.MAX_VALUE}: until it succeeds). */
    public RetryPolicy withMaxAttempts(int attempts) {
        Checks.atLeast(attempts, 1, "maxAttempts");
        return new RetryPolicy(attempts, initialDelay, maxDelay, multiplier, jitter, retryOn);
    }

    /**
     * This policy with another cap on the delay between attempts.
     *
     * @throws IllegalArgumentException if {@code cap} is null, shorter than the initial delay, or longer than
     *     {@value #MAX_DELAY_DAYS} days
     */
    public RetryPolicy withMaxDelay(Duration cap) {
        Checks.atMost(Checks.notNegative(cap, "maxDelay"), MAX_DELAY, "maxDelay");
        if (cap.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be >= initialDelay (" + initialDelay + "), was " + cap);
        }
        return new RetryPolicy(maxAttempts, initialDelay, cap, multiplier, jitter, retryOn);
    }

    /** This policy with another growth factor between delays (1.0: fixed delays). */
    public RetryPolicy withMultiplier(double factor) {
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1.0, was " + factor);
        }
        return new RetryPolicy(maxAttempts, initialDelay, maxDelay, factor, jitter, retryOn);
    }

    /** This policy with another jitter, a fraction from 0.0 (none) to 1.0 of each delay. */
    public RetryPolicy withJitter(double fraction) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0.0 and 1.0, was " + fraction);
        }
        return new RetryPolicy(maxAttempts, initialDelay, maxDelay, multiplier, fraction, retryOn);
    }

    /**
     * This policy retrying only the exceptions {@code predicate} accepts; others fail the step at once.
     * The predicate must be thread-safe; if it throws, the exception is treated as not retryable.
     */
    public RetryPolicy retryOn(Predicate<Throwable> predicate) {
        return new RetryPolicy(maxAttempts, initialDelay, maxDelay, multiplier, jitter,
                Objects.requireNonNull(predicate, "predicate cannot be null"));
    }

    /** The most attempts, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The delay before the second attempt. */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** The longest delay between two attempts, before jitter. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * Whether, after {@code attempts} attempts of which the last failed with {@code error}, another
     * attempt should be made.
     */
    public boolean shouldRetry(int attempts, Throwable error) {
        if (attempts >= maxAttempts || error instanceof BusinessRejection) {
            return false;
        }
        try {
            return retryOn.test(error);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The delay before attempt {@code nextAttempt} (2 or more), with jitter applied. */
    public Duration delayBefore(int nextAttempt) {
        return delayBefore(nextAttempt, () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * The delay before attempt {@code nextAttempt} (2 or more), with the jitter drawn from {@code random} (a
     * number in [0, 1): 0 spreads the delay down by the whole jitter, 0.5 not at all).
     */
    public Duration delayBefore(int nextAttempt, DoubleSupplier random) {
        double base = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, nextAttempt - 2));
        double capped = Math.min(base, maxDelay.toMillis());
        double spread = jitter == 0.0 ? 0.0 : capped * jitter * (random.getAsDouble() * 2 - 1);
        return Duration.ofMillis(Math.max(0L, Math.round(capped + spread)));
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + (maxAttempts == Integer.MAX_VALUE ? "unlimited" : maxAttempts)
                + ", initialDelay=" + initialDelay + ", maxDelay=" + maxDelay + ", multiplier=" + multiplier
                + ", jitter=" + jitter + "]";
    }
}
