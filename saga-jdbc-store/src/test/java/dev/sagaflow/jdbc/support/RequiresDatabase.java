package dev.sagaflow.jdbc.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs a database server. When the server does not answer, the class
 * fails if the environment variable {@code CI} is set (CI must never pass by skipping), and is
 * skipped with a message naming the URL otherwise. See {@link DatabaseAvailableCondition}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(DatabaseAvailableCondition.class)
public @interface RequiresDatabase {
    TestDatabase value();
}
