package dev.sagaflow.examples.boot.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables a {@link RequiresPostgres} test when PostgreSQL answers. When it does not: throws (which fails the tests)
 * if {@code CI} is set, and disables them with a clear message otherwise.
 */
public final class PostgresAvailableCondition implements ExecutionCondition {
    private static volatile String problem;
    private static volatile boolean probed;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return decide(problem(), System.getenv("CI"));
    }

    /**
     * The decision when PostgreSQL has {@code problem} ({@code null} if it answers) and the {@code CI} variable is
     * {@code ci}.
     *
     * @throws IllegalStateException when PostgreSQL does not answer and {@code ci} is set
     */
    static ConditionEvaluationResult decide(String problem, String ci) {
        if (problem == null) {
            return ConditionEvaluationResult.enabled("PostgreSQL answers at " + TestPostgres.url());
        }
        String message = "PostgreSQL at " + TestPostgres.url() + " (user " + TestPostgres.user() + ") does not answer: "
                + problem;
        if (ci != null && !ci.isBlank()) {
            throw new IllegalStateException(message + ". CI is set, so this fails instead of skipping: start the"
                    + " database in .ci/run or point SAGAFLOW_PG_URL at one.");
        }
        return ConditionEvaluationResult.disabled(message + ". Skipped; start it or set SAGAFLOW_PG_URL,"
                + " SAGAFLOW_PG_USER, SAGAFLOW_PG_PASSWORD (with CI set this fails).");
    }

    // Probed once per test run: the condition is evaluated for the class and for each of its tests.
    private static String problem() {
        if (!probed) {
            problem = TestPostgres.problem();
            probed = true;
        }
        return problem;
    }
}
