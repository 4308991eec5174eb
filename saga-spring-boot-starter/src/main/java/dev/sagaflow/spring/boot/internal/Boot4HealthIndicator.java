package dev.sagaflow.spring.boot.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The Sagaflow health indicator on Spring Boot 4 ({@code org.springframework.boot.health.contributor}). */
public final class Boot4HealthIndicator implements HealthIndicator {
    private final Predicate<Map<String, Object>> check;

    public Boot4HealthIndicator(Predicate<Map<String, Object>> check) {
        this.check = check;
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        try {
            boolean up = check.test(details);
            return (up ? Health.up() : Health.down()).withDetails(details).build();
        } catch (RuntimeException e) {
            return Health.down(e).withDetails(details).build();
        }
    }
}
