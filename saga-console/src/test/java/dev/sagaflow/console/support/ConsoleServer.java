package dev.sagaflow.console.support;

import com.sun.net.httpserver.HttpServer;
import dev.sagaflow.console.SagaConsole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;

/** A console mounted on a JDK server on a free loopback port, and a client for it. Close it after the test. */
public final class ConsoleServer implements AutoCloseable {
    private final HttpServer server;
    private final SagaConsole console;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private ConsoleServer(SagaConsole console) {
        this.console = console;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        console.mount(server);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    /** Serves {@code console} until {@link #close()}. */
    public static ConsoleServer start(SagaConsole console) {
        return new ConsoleServer(console);
    }

    /** {@code http://127.0.0.1:port}. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The absolute URL of {@code path} below the console's base path. */
    public URI uri(String path) {
        return URI.create(origin() + console.basePath() + path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    /** A form POST with the given headers (pairs of name and value) and url-encoded body. */
    public HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
