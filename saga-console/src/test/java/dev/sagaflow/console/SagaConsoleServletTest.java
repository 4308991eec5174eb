package dev.sagaflow.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.sagaflow.console.internal.ConsoleEngine;
import dev.sagaflow.console.support.ShopSagas;
import dev.sagaflow.store.memory.InMemorySagaStore;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The servlet adapter with a mocked container: paths, the authenticated user, headers and the body reach the console. */
class SagaConsoleServletTest {
    private ShopSagas shop;
    private SagaConsoleServlet servlet;
    private final HttpServletRequest request = mock(HttpServletRequest.class);
    private final HttpServletResponse response = mock(HttpServletResponse.class);
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        Instant now = Instant.now();
        shop = ShopSagas.populate(InMemorySagaStore.create(), now.minus(Duration.ofHours(3)), now);
        // A container-authenticated user; the servlet request decides the role, as Spring Security would.
        Authorizer authorizer = r -> r.authenticatedUser().flatMap(user -> r.unwrap(HttpServletRequest.class)
                .map(servletRequest -> servletRequest.isUserInRole("ops") ? ConsoleUser.operator(user)
                        : ConsoleUser.readOnly(user)));
        servlet = new SagaConsoleServlet(SagaConsole.builder(shop.orchestrator()).authorizer(authorizer).build());
        when(response.getOutputStream()).thenReturn(new ServletOutputStream() {
            @Override
            public void write(int b) {
                body.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }
        });
        when(request.getContextPath()).thenReturn("/app");
        when(request.getServletPath()).thenReturn("/ops/sagas");
        when(request.getRemoteAddr()).thenReturn("192.0.2.10");
    }

    @AfterEach
    void tearDown() {
        shop.close();
    }

    @Test
    void a_saga_page_is_served_with_links_below_the_context_and_servlet_paths() throws Exception {
        String id = shop.id("failed");
        when(request.getMethod()).thenReturn("GET");
        when(request.getRequestURI()).thenReturn("/app/ops/sagas/sagas/" + id);
        when(request.getRemoteUser()).thenReturn("olga");
        when(request.isUserInRole("ops")).thenReturn(true);

        servlet.service(request, response);

        verify(response).setStatus(200);
        verify(response).setHeader("Content-Security-Policy", ConsoleEngine.CONTENT_SECURITY_POLICY);
        String page = body.toString(StandardCharsets.UTF_8);
        assertThat(page).contains("href=\"/app/ops/sagas/assets/console.css\"")
                .contains("action=\"/app/ops/sagas/sagas/" + id + "/retry\"")
                .contains("<span class=\"user\">olga · operator</span>");
    }

    @Test
    void without_an_authenticated_user_the_authorizer_refuses_and_nothing_is_shown() throws Exception {
        when(request.getMethod()).thenReturn("GET");
        when(request.getRequestURI()).thenReturn("/app/ops/sagas/");
        when(request.getRemoteUser()).thenReturn(null);

        servlet.service(request, response);

        verify(response).setStatus(403);
        assertThat(body.toString(StandardCharsets.UTF_8)).doesNotContain("order-saga");
    }

    @Test
    void the_servlet_refuses_a_null_console() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new SagaConsoleServlet(null)).withMessage("console cannot be null");
    }
}
