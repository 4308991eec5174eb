package dev.sagaflow.console;

import dev.sagaflow.console.internal.ConsoleEngine;
import dev.sagaflow.console.internal.Exchange;
import dev.sagaflow.console.internal.Response;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;

/**
 * The console in a Servlet container (Jakarta Servlet 5 or later; needs {@code jakarta.servlet-api} on the
 * class path, which this module does not bring). Map it to a path with a wildcard, such as
 * {@code /sagaflow/*}; links are made from the request's context and servlet paths, so the console's own
 * {@link SagaConsole.Builder#basePath(String) basePath} is not used here.
 *
 * <pre>{@code
 * ServletRegistration.Dynamic console = servletContext.addServlet("sagaflow-console", new SagaConsoleServlet(sagaConsole));
 * console.addMapping("/sagaflow/*");
 * }</pre>
 *
 * <p>The authorizer can reach the container's request with
 * {@code request.unwrap(HttpServletRequest.class)} (for {@code isUserInRole}). Thread-safe.
 */
public class SagaConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient ConsoleEngine engine;

    /** A servlet that serves {@code console}. */
    public SagaConsoleServlet(SagaConsole console) {
        if (console == null) {
            throw new IllegalArgumentException("console cannot be null");
        }
        this.engine = console.engine();
    }

    /** Serves every method (the console answers 405 to those it does not take). */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        engine.handle(new ServletExchange(request, response));
    }

    private static final class ServletExchange implements Exchange {
        private final HttpServletRequest request;
        private final HttpServletResponse response;

        ServletExchange(HttpServletRequest request, HttpServletResponse response) {
            this.request = request;
            this.response = response;
        }

        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public String path() {
            return request.getRequestURI();
        }

        @Override
        public Optional<String> header(String name) {
            return Optional.ofNullable(request.getHeader(name));
        }

        @Override
        public InetAddress remoteAddress() {
            try {
                return InetAddress.getByName(request.getRemoteAddr()); // a literal address: no lookup
            } catch (UnknownHostException e) {
                return null;
            }
        }

        @Override
        public Optional<String> authenticatedUser() {
            return Optional.ofNullable(request.getRemoteUser());
        }

        @Override
        public <T> Optional<T> unwrap(Class<T> type) {
            return type.isInstance(request) ? Optional.of(type.cast(request)) : Optional.empty();
        }

        @Override
        public String basePath() {
            return request.getContextPath() + request.getServletPath();
        }

        @Override
        public String subPath() {
            // The raw (encoded) remainder of the URI, as on the JDK server; getPathInfo() would be decoded.
            String uri = request.getRequestURI();
            String base = basePath();
            return uri.startsWith(base) ? uri.substring(base.length()) : "";
        }

        @Override
        public String rawQuery() {
            return request.getQueryString();
        }

        @Override
        public byte[] body(int maxBytes) throws IOException {
            return Exchange.readAtMost(request.getInputStream(), maxBytes);
        }


        @Override
        public void send(Response answer) throws IOException {
            response.setStatus(answer.status());
            for (Map.Entry<String, String> header : answer.headers().entrySet()) {
                response.setHeader(header.getKey(), header.getValue());
            }
            if (answer.body().length > 0) {
                response.setContentLength(answer.body().length);
                response.getOutputStream().write(answer.body());
            }
        }
    }
}
