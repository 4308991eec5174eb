package dev.sagaflow.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpServer;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The README's "mount it with plain Java" example, kept compiling and working. */
class ReadmeExampleTest {
    private final Set<String> operators = Set.of("olga");
    private final Map<String, String> passwords = Map.of("olga", "s3cret", "rita", "hunter2");

    @Test
    void the_readme_example_serves_the_console_behind_basic_authentication() throws Exception {
        try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(InMemorySagaStore.create()).build()) {
            // --- README: mount the console (begin)
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            SagaConsole console = SagaConsole.builder(orchestrator)
                    .authorizer(request -> request.authenticatedUser().map(user -> operators.contains(user)
                            ? ConsoleUser.operator(user) : ConsoleUser.readOnly(user)))
                    .dataMasker(DataMasker.fields("cardNumber", "email"))   // hide these fields of saga data
                    .basePath("/sagaflow")                                  // the default
                    .build();
            console.mount(server).setAuthenticator(new BasicAuthenticator("sagaflow") {
                @Override
                public boolean checkCredentials(String user, String password) {
                    return password.equals(passwords.get(user));             // your own user store
                }
            });
            server.start();
            // --- README: mount the console (end)
            try {
                URI overview = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/sagaflow/");
                HttpClient http = HttpClient.newHttpClient();

                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(overview).build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> olga = http.send(HttpRequest.newBuilder(overview)
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                "olga:s3cret".getBytes(StandardCharsets.UTF_8))).build(),
                        HttpResponse.BodyHandlers.ofString());

                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(olga.statusCode()).isEqualTo(200);
                assertThat(olga.body()).contains("olga · operator");
            } finally {
                server.stop(0);
            }
        }
    }
}
