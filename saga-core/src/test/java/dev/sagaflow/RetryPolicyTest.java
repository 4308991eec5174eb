package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
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
    void to_string_prints_every_setting() {
        assertThat(RetryPolicy.exponential(Duration.ofMillis(50), 5).withMaxAttempts(Integer.MAX_VALUE).toString())
                .contains("maxAttempts=unlimited", "initialDelay=PT0.05S", "maxDelay=PT1M", "multiplier=2.0",
                        "jitter=0.2");
    }
}
