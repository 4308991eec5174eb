package dev.sagaflow.examples.boot.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

class PostgresAvailableConditionTest {

    @Test
    void a_database_that_answers_enables_the_tests() {
        assertThat(PostgresAvailableCondition.decide(null, "true").isDisabled()).isFalse();
    }

    @Test
    void a_database_that_does_not_answer_fails_the_tests_on_ci() {
        assertThatThrownBy(() -> PostgresAvailableCondition.decide("Connection refused", "true"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(TestPostgres.url())
                .hasMessageContaining("Connection refused")
                .hasMessageContaining("CI is set");
    }

    @Test
    void a_database_that_does_not_answer_skips_the_tests_elsewhere_naming_the_url() {
        for (String ci : new String[] {null, ""}) {
            ConditionEvaluationResult result = PostgresAvailableCondition.decide("Connection refused", ci);

            assertThat(result.isDisabled()).isTrue();
            assertThat(result.getReason()).get().asString().contains(TestPostgres.url()).contains("Skipped");
        }
    }
}
