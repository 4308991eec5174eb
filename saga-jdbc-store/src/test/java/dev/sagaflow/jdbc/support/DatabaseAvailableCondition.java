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
        String problem = database.problem();
        if (problem == null) {
            return ConditionEvaluationResult.enabled(database.displayName() + " answers at " + database.url());
        }
        String message = database.displayName() + " at " + database.url() + " (user " + database.user()
                + ") does not answer: " + problem;
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank()) {
            throw new IllegalStateException(message + ". CI is set, so this fails instead of skipping: start the"
                    + " database in .ci/run or point the SAGAFLOW_* variables at one.");
        }
        return ConditionEvaluationResult.disabled(message + ". Skipped; start it or set the SAGAFLOW_* variables"
                + " (with CI set this fails).");
    }
}
