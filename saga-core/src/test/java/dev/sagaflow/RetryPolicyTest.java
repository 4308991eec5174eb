package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    @Test
    void none_never_retries() {
        assertThat(RetryPolicy.none().shouldRetry(1, new IOException())).isFalse();
    }

    @Test
    void attempts_are_limited_and_rejections_are_never_retried() {
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(50), 3);
        assertThat(policy.shouldRetry(1, new IOException())).isTrue();
        assertThat(policy.shouldRetry(2, new IOException())).isTrue();
        assertThat(policy.shouldRetry(3, new IOException())).isFalse();
        assertThat(policy.shouldRetry(1, new BusinessRejection("no"))).isFalse();
    }

    @Test
    void the_predicate_decides_which_errors_are_retryable_and_a_throwing_predicate_means_no() {
        RetryPolicy policy = RetryPolicy.fixed(Duration.ofMillis(1), 5).retryOn(e -> e instanceof IOException);
        assertThat(policy.shouldRetry(1, new IOException())).isTrue();
        assertThat(policy.shouldRetry(1, new IllegalStateException())).isFalse();
        RetryPolicy broken = RetryPolicy.fixed(Duration.ofMillis(1), 5).retryOn(e -> {
            throw new IllegalStateException("bug");
        });
        assertThat(broken.shouldRetry(1, new IOException())).isFalse();
    }

    @RepeatedTest(20)
    void delays_grow_exponentially_within_the_jitter_and_stop_at_the_cap() {
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(100), 10).withMaxDelay(Duration.ofMillis(500));
        assertThat(policy.delayBefore(2).toMillis()).isBetween(80L, 120L);
        assertThat(policy.delayBefore(3).toMillis()).isBetween(160L, 240L);
        assertThat(policy.delayBefore(4).toMillis()).isBetween(320L, 480L);
        assertThat(policy.delayBefore(9).toMillis()).isBetween(400L, 600L);
        assertThat(RetryPolicy.fixed(Duration.ofMillis(70), 3).delayBefore(5)).isEqualTo(Duration.ofMillis(70));
    }

    @Test
    void bad_settings_are_rejected_with_the_setting_named() {
        assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofMillis(-1), 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialDelay must be >= 0");
        assertThatThrownBy(() -> RetryPolicy.exponential(null, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("initialDelay cannot be null");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ZERO, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be >= 1, was 0");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ofSeconds(1), 2).withMaxDelay(Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay must be >= initialDelay");
        assertThatThrownBy(() -> RetryPolicy.none().withJitter(2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.none().withMultiplier(0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jitter_must_be_a_fraction_from_zero_to_one_inclusive() {
        for (double bad : new double[] {-0.01, 1.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> RetryPolicy.none().withJitter(bad)).as("jitter " + bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("jitter must be between 0.0 and 1.0, was "
                            + bad);
        }
        RetryPolicy full = RetryPolicy.fixed(Duration.ofMillis(100), 3).withJitter(1.0);
        assertThat(full.delayBefore(2, () -> 0.0)).isEqualTo(Duration.ZERO);
        assertThat(full.delayBefore(2, () -> 0.75)).isEqualTo(Duration.ofMillis(150));
        assertThat(RetryPolicy.fixed(Duration.ofMillis(100), 3).withJitter(0.0).delayBefore(2, () -> 0.0))
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void the_jitter_spreads_the_delay_by_its_fraction_in_both_directions() {
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(1000), 10).withJitter(0.2);

        assertThat(policy.delayBefore(2, () -> 0.0)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.delayBefore(2, () -> 0.5)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.delayBefore(2, () -> 0.999)).isEqualTo(Duration.ofMillis(1200));
        assertThat(policy.delayBefore(3, () -> 0.25)).isEqualTo(Duration.ofMillis(1800));
    }

    @Test
    void many_jittered_delays_spread_over_the_whole_range_rather_than_repeating_one_value() {
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(1000), 10);
        Set<Long> seen = new HashSet<>();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 2000; i++) {
            long delay = policy.delayBefore(2).toMillis();
            seen.add(delay);
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }

        assertThat(min).isGreaterThanOrEqualTo(800L).isLessThan(850L);
        assertThat(max).isLessThanOrEqualTo(1200L).isGreaterThan(1150L);
        assertThat(seen).as("distinct delays out of 2000 draws").hasSizeGreaterThan(200);
    }

    @Test
    void delays_grow_by_the_multiplier_from_the_second_attempt_and_the_first_retry_waits_the_initial_delay() {
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(100), 10).withJitter(0.0).withMultiplier(3.0);

        assertThat(policy.delayBefore(1)).as("never less than the initial delay")
                .isEqualTo(Duration.ofMillis(100));
        assertThat(policy.delayBefore(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.delayBefore(3)).isEqualTo(Duration.ofMillis(300));
        assertThat(policy.delayBefore(4)).isEqualTo(Duration.ofMillis(900));
        assertThat(policy.delayBefore(20)).as("capped at one minute").isEqualTo(Duration.ofMinutes(1));
        assertThat(RetryPolicy.exponential(Duration.ofMillis(100), 3).withMultiplier(1.0).withJitter(0.0)
                .delayBefore(5)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void the_multiplier_must_be_finite_and_at_least_one() {
        for (double bad : new double[] {0.99, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> RetryPolicy.none().withMultiplier(bad)).as("multiplier " + bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("multiplier must be a finite number >= 1.0, was " + bad);
        }
    }

    @Test
    void the_exponential_cap_is_one_minute_or_the_initial_delay_if_longer_and_delays_stop_at_a_year() {
        assertThat(RetryPolicy.exponential(Duration.ofSeconds(1), 3).maxDelay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(RetryPolicy.exponential(Duration.ofMinutes(1), 3).maxDelay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(RetryPolicy.exponential(Duration.ofMinutes(2), 3).maxDelay()).isEqualTo(Duration.ofMinutes(2));
        assertThat(RetryPolicy.exponential(Duration.ofMinutes(2), 3).initialDelay()).isEqualTo(Duration.ofMinutes(2));
        assertThat(RetryPolicy.fixed(Duration.ofSeconds(1), 3).withMaxDelay(Duration.ofSeconds(1)).maxDelay())
                .isEqualTo(Duration.ofSeconds(1));
        Duration year = Duration.ofDays(RetryPolicy.MAX_DELAY_DAYS);
        assertThat(RetryPolicy.fixed(year, 2).initialDelay()).isEqualTo(year);
        assertThatThrownBy(() -> RetryPolicy.fixed(year.plusMillis(1), 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.exponential(year.plusMillis(1), 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.none().withMaxDelay(year.plusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.none().withMaxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(RetryPolicy.none().withMaxAttempts(4).maxAttempts()).isEqualTo(4);
    }

    @Test
    void to_string_prints_every_setting() {
        assertThat(RetryPolicy.exponential(Duration.ofMillis(50), 5).withMaxAttempts(Integer.MAX_VALUE).toString())
                .contains("maxAttempts=unlimited", "initialDelay=PT0.05S", "maxDelay=PT1M", "multiplier=2.0",
                        "jitter=0.2");
    }
}
