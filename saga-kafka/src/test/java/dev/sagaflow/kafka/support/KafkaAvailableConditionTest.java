package dev.sagaflow.kafka.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KafkaAvailableConditionTest {
    @Test
    void a_broker_that_cannot_start_skips_the_tests_with_a_message_on_a_developers_machine() {
        var result = KafkaAvailableCondition.decide("java.net.BindException: Address already in use", null);

        assertThat(result.isDisabled()).isTrue();
        assertThat(result.getReason()).get().asString().contains("cannot start").contains("BindException")
                .contains("Skipped");
    }

    @Test
    void a_broker_that_cannot_start_fails_the_tests_when_ci_is_set() {
        assertThatThrownBy(() -> KafkaAvailableCondition.decide("java.net.BindException", "true"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CI is set, so this fails");
    }
}
