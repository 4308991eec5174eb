package dev.sagaflow.testing;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.StepContext;
import dev.sagaflow.spi.StepInterceptor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes chosen attempts of chosen steps fail, for testing a saga's failure paths without touching
 * its handlers. Register it with {@code SagaOrchestrator.Builder.interceptor(...)} (the test kit
 * does). A fault fails the attempt before the handler runs, exactly as if the handler had thrown.
 * Rules match steps by name in every saga; attempts are the runtime's attempt numbers, which count
 * across retries and recoveries. Thread-safe.
 */
public final class FaultInjector implements StepInterceptor {
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    /** Fails attempt {@code attempt} of step {@code step}'s action with {@code error}. */
    public FaultInjector failAction(String step, int attempt, Exception error) {
        rules.add(new Rule(step, false, attempt, attempt, error));
        return this;
    }

    /** Fails the first {@code times} attempts of step {@code step}'s action with {@code error}. */
    public FaultInjector failActionTimes(String step, int times, Exception error) {
        rules.add(new Rule(step, false, 1, times, error));
        return this;
    }

    /** Fails every attempt of step {@code step}'s action with {@code error}. */
    public FaultInjector failActionAlways(String step, Exception error) {
        return failActionTimes(step, Integer.MAX_VALUE, error);
    }

    /** Makes step {@code step}'s action reject (a {@link BusinessRejection}, never retried). */
    public FaultInjector rejectAction(String step, String reason) {
        return failActionAlways(step, new BusinessRejection(reason));
    }

    /** Fails the first {@code times} attempts of step {@code step}'s compensation with {@code error}. */
    public FaultInjector failCompensationTimes(String step, int times, Exception error) {
        rules.add(new Rule(step, true, 1, times, error));
        return this;
    }

    /** Fails every attempt of step {@code step}'s compensation with {@code error}. */
    public FaultInjector failCompensationAlways(String step, Exception error) {
        return failCompensationTimes(step, Integer.MAX_VALUE, error);
    }

    /** Removes every rule (counts are kept). */
    public void clear() {
        rules.clear();
    }

    /** How many attempts of step {@code step}'s action were made, in every saga, faulted or not. */
    public int actionAttempts(String step) {
        return count(step, false);
    }

    /** How many attempts of step {@code step}'s compensation were made, in every saga, faulted or not. */
    public int compensationAttempts(String step) {
        return count(step, true);
    }

    @Override
    public void beforeAttempt(StepContext context) throws Exception {
        calls.computeIfAbsent(key(context.stepName(), context.isCompensation()), k -> new AtomicInteger())
                .incrementAndGet();
        for (Rule rule : rules) {
            if (rule.step.equals(context.stepName()) && rule.compensation == context.isCompensation()
                    && context.attempt() >= rule.fromAttempt && context.attempt() <= rule.toAttempt) {
                throw rule.error;
            }
        }
    }

    private int count(String step, boolean compensation) {
        AtomicInteger count = calls.get(key(step, compensation));
        return count == null ? 0 : count.get();
    }

    private static String key(String step, boolean compensation) {
        return (compensation ? "C:" : "A:") + step;
    }

    private record Rule(String step, boolean compensation, int fromAttempt, int toAttempt, Exception error) {
    }
}
