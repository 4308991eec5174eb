package dev.sagaflow.kafka.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class only when the embedded Kafka broker ({@link EmbeddedKafka#shared()}) starts; when it cannot,
 * the class fails if {@code CI} is set and is skipped with a message otherwise.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KafkaAvailableCondition.class)
public @interface RequiresKafka {
}
