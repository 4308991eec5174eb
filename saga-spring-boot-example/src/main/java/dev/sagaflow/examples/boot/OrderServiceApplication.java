package dev.sagaflow.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The order service. Run it with {@code mvn -q -pl saga-spring-boot-example -am spring-boot:run} (embedded H2, port
 * 8080), then {@code curl -XPOST localhost:8080/orders -H 'Content-Type: application/json'
 * -d '{"customer":"alice","amount":120}'}.
 */
@SpringBootApplication
public class OrderServiceApplication {

    /** Starts the application. */
    public static void main(String[] args) {
        SpringApplication.run(OrderServiceApplication.class, args);
    }
}
