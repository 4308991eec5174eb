package dev.sagaflow.jdbc.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Enables a {@link RequiresDatabase} test when its database answers. When it does not: throws
 * (which fails the tests) if {@code CI} is set, and disables them with a clear message otherwise.
 */
public final class DatabaseAvailableCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        TestDatabase database = context.getTestClass()
                .flatMap(type -> AnnotationSupport.findAnnotation(type, RequiresDatabase.class))
                .map(RequiresDatabase::value)
                .orElse(null);
        if (database == null) {
            return ConditionEvaluationResult.enabled("no database required");
        }
        return decide(database.displayName(), database.url(), database.user(), database.problem(),
                System.getenv("CI"));
    }

    /**
     * The decision for a database named {@code name} at {@code url}, which has {@code problem} (or
     * {@code null} if it answers), when the {@code CI} variable is {@code ci}.
     *
     * @throws IllegalStateException when the database does not answer and {@code ci} is set
     */
    static ConditionEvaluationResult decide(String name, String url, String user, String problem, String ci) {
        if (problem == null) {
            return ConditionEvaluationResult.enabled(name + " answers at " + url);
        }
        String message = name + " at " + url + " (user " + user + ") does not answer: " + problem;
        if (ci != null && !ci.isBlank()) {
            throw new IllegalStateException(message + ". CI is set, so this fails instead of skipping: start the"
                    + " database in .ci/run or point the SAGAFLOW_* variables at one.");
        }
        return ConditionEvaluationResult.disabled(message + ". Skipped; start it or set the SAGAFLOW_* variables"
                + " (with CI set this fails).");
    }
}
