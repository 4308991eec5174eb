package dev.sagaflow.rabbitmq.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RabbitAvailableConditionTest {
    @Test
    void a_missing_broker_skips_the_tests_with_a_message_on_a_developers_machine() {
        var result = RabbitAvailableCondition.decide("Connection refused", null);

        assertThat(result.isDisabled()).isTrue();
        assertThat(result.getReason()).get().asString().contains("Connection refused").contains("Skipped")
                .contains("rabbitmq-server -detached");
    }

    @Test
    void a_missing_broker_fails_the_tests_when_ci_is_set() {
        assertThatThrownBy(() -> RabbitAvailableCondition.decide("Connection refused", "true"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CI is set, so this fails");
    }

    @Test
    void a_broker_that_answers_runs_the_tests() {
        assertThat(RabbitAvailableCondition.decide(null, "true").isDisabled()).isFalse();
    }
}
