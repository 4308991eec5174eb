package dev.sagaflow.examples.boot.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs {@link TestPostgres}. When the server does not answer, the class fails if the
 * environment variable {@code CI} is set (CI must never pass by skipping), and is skipped with a message naming the
 * URL otherwise; as saga-jdbc-store's {@code RequiresDatabase}. Put it before {@code @SpringBootTest}, so that the
 * decision comes before the application context is built.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(PostgresAvailableCondition.class)
public @interface RequiresPostgres {
}
