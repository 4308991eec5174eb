package dev.sagaflow.console.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.List;
import org.junit.jupiter.api.Test;

class BrowserAndPostgresConditionTest {

    @Test
    void the_browser_tests_run_when_nothing_is_missing() {
        assertThat(BrowserAndPostgresCondition.decide(List.of(), "true").isDisabled()).isFalse();
    }

    @Test
    void a_missing_browser_skips_them_with_the_reason_on_a_developers_machine() {
        var result = BrowserAndPostgresCondition.decide(List.of("Chromium is not at /usr/bin/chromium"), null);

        assertThat(result.isDisabled()).isTrue();
        assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("Chromium is not at /usr/bin/chromium").contains("skipped"));
    }

    @Test
    void a_missing_browser_or_database_fails_them_when_ci_is_set() {
        assertThatIllegalStateException().isThrownBy(() -> BrowserAndPostgresCondition.decide(
                List.of("PostgreSQL at jdbc:postgresql://127.0.0.1:5432/x does not answer"), "true"))
                .withMessageContaining("PostgreSQL").withMessageContaining("CI is set");
    }
}
