package dev.sagaflow.console.support;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables the browser tests when Chromium, chromedriver and PostgreSQL are all there. When one is missing:
 * throws (which fails the tests) if {@code CI} is set, and disables them with the reason otherwise.
 */
public final class BrowserAndPostgresCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<String> problems = new ArrayList<>(Chromium.problems());
        String database = PostgresDatabase.problem();
        if (database != null) {
            problems.add("PostgreSQL at " + PostgresDatabase.url() + " (user " + PostgresDatabase.user()
                    + ") does not answer: " + database);
        }
        return decide(problems, System.getenv("CI"));
    }

    /**
     * The decision when {@code problems} stand in the way and the {@code CI} variable is {@code ci}.
     *
     * @throws IllegalStateException when there is a problem and {@code ci} is set
     */
    static ConditionEvaluationResult decide(List<String> problems, String ci) {
        if (problems.isEmpty()) {
            return ConditionEvaluationResult.enabled("Chromium, chromedriver and PostgreSQL are there");
        }
        String message = String.join("; ", problems);
        if (ci != null && !ci.isBlank()) {
            throw new IllegalStateException(message + ". CI is set, so the browser tests fail instead of skipping:"
                    + " .ci/run installs chromium and chromium-driver and starts PostgreSQL.");
        }
        return ConditionEvaluationResult.disabled(message + ". Browser tests skipped; apt-get install chromium"
                + " chromium-driver, start PostgreSQL or set SAGAFLOW_PG_URL (with CI set this fails).");
    }
}
