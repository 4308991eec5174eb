package dev.sagaflow.console.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;

/** The console on the JDK {@code HttpServer}. Thread-safe. */
public final class JdkHandler implements HttpHandler {
    private final ConsoleEngine engine;
    private final String basePath;

    /** Serves {@code engine} from a context mounted at {@code basePath}. */
    public JdkHandler(ConsoleEngine engine, String basePath) {
        this.engine = engine;
        this.basePath = basePath;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            engine.handle(new JdkExchange(exchange, basePath));
        }
    }

    private static final class JdkExchange implements Exchange {
        private final HttpExchange exchange;
        private final String basePath;

        JdkExchange(HttpExchange exchange, String basePath) {
            this.exchange = exchange;
            this.basePath = basePath;
        }

        @Override
        public String method() {
            return exchange.getRequestMethod();
        }

        @Override
        public String path() {
            return exchange.getRequestURI().getRawPath();
        }

        @Override
        public Optional<String> header(String name) {
            return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
        }

        @Override
        public InetAddress remoteAddress() {
            return exchange.getRemoteAddress().getAddress();
        }

        @Override
        public Optional<String> authenticatedUser() {
            // HttpPrincipal.getName() is "realm:user"; the user is what a host compares with its own list.
            return Optional.ofNullable(exchange.getPrincipal()).map(HttpPrincipal::getUsername);
        }

        @Override
        public <T> Optional<T> unwrap(Class<T> type) {
            return type.isInstance(exchange) ? Optional.of(type.cast(exchange)) : Optional.empty();
        }

        @Override
        public String basePath() {
            return basePath;
        }

        @Override
        public String subPath() {
            String path = path();
            // The JDK matches contexts by string prefix: "/sagaflow" also receives "/sagaflowx", which is not ours.
            return path.startsWith(basePath) ? path.substring(basePath.length()) : path;
        }

        @Override
        public String rawQuery() {
            return exchange.getRequestURI().getRawQuery();
        }

        @Override
        public byte[] body(int maxBytes) throws IOException {
            return Exchange.readAtMost(exchange.getRequestBody(), maxBytes);
        }


        @Override
        public void send(Response response) throws IOException {
            for (Map.Entry<String, String> header : response.headers().entrySet()) {
                exchange.getResponseHeaders().set(header.getKey(), header.getValue());
            }
            byte[] body = response.body();
            exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
