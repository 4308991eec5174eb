package dev.sagaflow.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.spring.boot.support.Orders;
import dev.sagaflow.spring.boot.support.Orders.Order;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** The endpoint over HTTP, in a real web application, with the exposure and access settings an operator uses. */
class ActuatorEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void the_endpoint_is_not_exposed_over_http_without_configuration_but_the_health_group_is() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(get(context, "/actuator/sagaflow").statusCode()).isEqualTo(404);
            HttpResponse<String> health = get(context, "/actuator/health/sagaflow");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
        }
    }

    @Test
    void exposed_it_lists_and_finds_sagas_but_refuses_writes_until_access_is_unrestricted() throws Exception {
        try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=sagaflow")) {
            String id = runOne(context);

            assertThat(get(context, "/actuator/sagaflow?status=COMPLETED").body()).contains(id);
            assertThat(get(context, "/actuator/sagaflow/" + id).body()).contains("\"history\"", "SAGA_COMPLETED");
            assertThat(post(context, "/actuator/sagaflow/" + id + "/retry").statusCode()).isIn(404, 405);
        }
        try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=sagaflow",
                "management.endpoint.sagaflow.access=unrestricted")) {
            String id = runOne(context);

            HttpResponse<String> retry = post(context, "/actuator/sagaflow/" + id + "/retry");
            // The write operation is mapped now; the orchestrator refuses to retry a COMPLETED saga.
            assertThat(retry.statusCode()).isEqualTo(400);
        }
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(App.class).properties("server.port=0",
                "management.endpoint.health.show-details=always", "spring.main.banner-mode=off")
                .properties(properties).run();
    }

    @SuppressWarnings("unchecked")
    private static String runOne(ConfigurableApplicationContext context) {
        SagaDefinition<Order> createOrder = context.getBean("createOrder", SagaDefinition.class);
        return context.getBean(SagaOrchestrator.class).run(createOrder, new Order("o-1", 10)).sagaId();
    }

    private HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(context, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(ConfigurableApplicationContext context, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(context, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(ConfigurableApplicationContext context, String path) {
        return URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + path);
    }

    /** A web application with one saga and no data source (the in-memory store). */
    @SpringBootConfiguration
    @EnableAutoConfiguration(excludeName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
    static class App {
        @Bean
        SagaDefinition<Order> createOrder() {
            return Orders.createOrder();
        }
    }
}
