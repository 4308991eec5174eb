package dev.sagaflow.console.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class only when Chromium, chromedriver and PostgreSQL are there; otherwise it fails when
 * {@code CI} is set and is skipped with the reason when not ({@link BrowserAndPostgresCondition}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(BrowserAndPostgresCondition.class)
public @interface RequiresBrowserAndPostgres {
}
