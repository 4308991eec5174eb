package dev.sagaflow.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OriginCheckTest {
    private final OriginCheck check = new OriginCheck(List.of("https://ops.example.com"));

    @Test
    void a_request_whose_origin_names_its_own_host_and_port_is_accepted() {
        assertThat(check.problem(Optional.of("http://127.0.0.1:8080"), Optional.empty(), Optional.of("127.0.0.1:8080")))
                .isEmpty();
    }

    @Test
    void the_scheme_does_not_matter_behind_a_proxy_that_ends_tls_but_the_port_does() {
        assertThat(check.problem(Optional.of("https://console.local"), Optional.empty(), Optional.of("console.local")))
                .isEmpty();
        assertThat(check.problem(Optional.of("http://console.local:9090"), Optional.empty(), Optional.of("console.local:8080")))
                .isPresent();
    }

    @Test
    void an_origin_without_a_port_matches_a_host_header_with_the_default_port() {
        assertThat(check.problem(Optional.of("http://console.local"), Optional.empty(), Optional.of("console.local:80")))
                .isEmpty();
    }

    @Test
    void a_request_from_another_origin_is_refused() {
        assertThat(check.problem(Optional.of("http://evil.example"), Optional.empty(), Optional.of("127.0.0.1:8080")))
                .contains("it comes from another origin than the console's");
    }

    @Test
    void without_an_origin_the_referer_decides() {
        assertThat(check.problem(Optional.empty(), Optional.of("http://127.0.0.1:8080/sagaflow/sagas/x"),
                Optional.of("127.0.0.1:8080"))).isEmpty();
        assertThat(check.problem(Optional.empty(), Optional.of("http://evil.example/page"),
                Optional.of("127.0.0.1:8080"))).isPresent();
    }

    @Test
    void a_request_with_neither_origin_nor_referer_or_an_opaque_origin_is_refused() {
        assertThat(check.problem(Optional.empty(), Optional.empty(), Optional.of("127.0.0.1:8080")))
                .contains("the request names no Origin or Referer");
        assertThat(check.problem(Optional.of("null"), Optional.empty(), Optional.of("127.0.0.1:8080")))
                .contains("the request comes from an opaque origin");
    }

    @Test
    void a_trusted_origin_is_accepted_whatever_the_host_header_says() {
        assertThat(check.problem(Optional.of("https://ops.example.com"), Optional.empty(), Optional.of("10.0.0.5:8080")))
                .isEmpty();
        assertThat(check.problem(Optional.of("http://ops.example.com"), Optional.empty(), Optional.of("10.0.0.5:8080")))
                .isPresent();
    }
}
