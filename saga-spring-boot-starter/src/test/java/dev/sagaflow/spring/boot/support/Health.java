package dev.sagaflow.spring.boot.support;

import java.util.Map;
import org.springframework.context.ApplicationContext;

/**
 * Reads the {@code sagaflowHealthIndicator} bean on either Spring Boot line (Boot 4 moved the health API to
 * another package, and these tests run on both), by its {@code health()} method.
 */
public final class Health {
    private Health() {
    }

    /** The indicator's status ("UP", "DOWN") and details. */
    public static Map.Entry<String, Map<String, Object>> of(ApplicationContext context) {
        Object indicator = context.getBean("sagaflowHealthIndicator");
        try {
            Object health = indicator.getClass().getMethod("health").invoke(indicator);
            String status = health.getClass().getMethod("getStatus").invoke(health).toString();
            @SuppressWarnings("unchecked")
            Map<String, Object> details = (Map<String, Object>) health.getClass().getMethod("getDetails").invoke(health);
            return Map.entry(status, details);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + indicator, e);
        }
    }
}
