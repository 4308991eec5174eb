package dev.sagaflow.spring.boot.boot3;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The Sagaflow health indicator on Spring Boot 3 ({@code org.springframework.boot.actuate.health}). Not API: the
 * starter's auto-configuration creates it; on Boot 4 it uses its own indicator on Boot 4's health API.
 * Thread-safe when {@code check} is.
 */
public final class Boot3HealthIndicator implements HealthIndicator {
    private final Predicate<Map<String, Object>> check;

    /**
     * @param check fills in the details and says whether Sagaflow is healthy; an exception it throws reports DOWN
     *     with the exception
     */
    public Boot3HealthIndicator(Predicate<Map<String, Object>> check) {
        this.check = Objects.requireNonNull(check, "check cannot be null");
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
