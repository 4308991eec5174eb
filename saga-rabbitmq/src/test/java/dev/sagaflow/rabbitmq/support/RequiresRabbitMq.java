package dev.sagaflow.rabbitmq.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class only when the RabbitMQ server answers ({@link RabbitBroker}); when it does not, the class
 * fails if {@code CI} is set and is skipped with a message otherwise.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RabbitAvailableCondition.class)
public @interface RequiresRabbitMq {
}
