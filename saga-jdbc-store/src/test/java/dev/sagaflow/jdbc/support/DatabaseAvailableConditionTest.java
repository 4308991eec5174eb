package dev.sagaflow.jdbc.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

class DatabaseAvailableConditionTest {
    private static final String URL = "jdbc:postgresql://127.0.0.1:1/nowhere";

    @Test
    void a_database_that_answers_enables_the_tests() {
        assertThat(DatabaseAvailableCondition.decide("PostgreSQL", URL, "postgres", null, "true").isDisabled())
                .isFalse();
    }

    @Test
    void a_database_that_does_not_answer_fails_the_tests_on_ci() {
        assertThatThrownBy(() -> DatabaseAvailableCondition.decide("PostgreSQL", URL, "postgres",
                "Connection refused", "true"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(URL)
                .hasMessageContaining("Connection refused")
                .hasMessageContaining("CI is set");
    }

    @Test
    void a_database_that_does_not_answer_skips_the_tests_elsewhere_naming_the_url() {
        for (String ci : new String[] {null, ""}) {
            ConditionEvaluationResult result = DatabaseAvailableCondition.decide("PostgreSQL", URL, "postgres",
                    "Connection refused", ci);

            assertThat(result.isDisabled()).isTrue();
            assertThat(result.getReason()).get().asString().contains(URL).contains("Skipped");
        }
    }
}
