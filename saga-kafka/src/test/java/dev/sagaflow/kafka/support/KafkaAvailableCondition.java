package dev.sagaflow.kafka.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables a {@link RequiresKafka} test when the embedded broker starts. When it cannot: throws (which fails the
 * tests) if {@code CI} is set, and disables them with a clear message otherwise.
 */
public final class KafkaAvailableCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String problem;
        try {
            problem = EmbeddedKafka.shared() == null ? "no broker" : null;
        } catch (Exception e) {
            problem = e.toString();
        }
        return decide(problem, System.getenv("CI"));
    }

    /**
     * The decision when the broker could not start because of {@code problem} (or {@code null} if it runs) and the
     * {@code CI} variable is {@code ci}.
     *
     * @throws IllegalStateException when the broker cannot start and {@code ci} is set
     */
    static ConditionEvaluationResult decide(String problem, String ci) {
        if (problem == null) {
            return ConditionEvaluationResult.enabled("the embedded Kafka broker runs");
        }
        String message = "the embedded Kafka broker (KRaft, in this JVM) cannot start: " + problem;
        if (ci != null && !ci.isBlank()) {
            throw new IllegalStateException(message + ". CI is set, so this fails instead of skipping.");
        }
        return ConditionEvaluationResult.disabled(message + ". Skipped (with CI set this fails).");
    }
}
