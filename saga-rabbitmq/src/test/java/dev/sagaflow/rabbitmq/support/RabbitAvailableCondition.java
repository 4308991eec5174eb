package dev.sagaflow.rabbitmq.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables a {@link RequiresRabbitMq} test when the broker answers. When it does not: throws (which fails the
 * tests) if {@code CI} is set, and disables them with a clear message otherwise.
 */
public final class RabbitAvailableCondition implements ExecutionCondition {
    private static volatile String problem;
    private static volatile boolean probed;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!probed) {
            problem = RabbitBroker.problem();
            probed = true;
        }
        return decide(problem, System.getenv("CI"));
    }

    /**
     * The decision when the broker has {@code problem} (or {@code null} if it answers) and the {@code CI} variable
     * is {@code ci}.
     *
     * @throws IllegalStateException when the broker does not answer and {@code ci} is set
     */
    static ConditionEvaluationResult decide(String problem, String ci) {
        if (problem == null) {
            return ConditionEvaluationResult.enabled("RabbitMQ answers at " + RabbitBroker.URI_TEXT);
        }
        String message = "RabbitMQ at " + RabbitBroker.URI_TEXT + " does not answer: " + problem;
        if (ci != null && !ci.isBlank()) {
            throw new IllegalStateException(message + ". CI is set, so this fails instead of skipping: start it in"
                    + " .ci/run (rabbitmq-server -detached) or point SAGAFLOW_RABBITMQ_URI at one.");
        }
        return ConditionEvaluationResult.disabled(message + ". Skipped; start it (rabbitmq-server -detached) or set"
                + " SAGAFLOW_RABBITMQ_URI (with CI set this fails).");
    }
}
