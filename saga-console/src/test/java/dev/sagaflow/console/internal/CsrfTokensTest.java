package dev.sagaflow.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.console.ConsoleUser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CsrfTokensTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final byte[] SECRET = filled(1);
    private final ConsoleUser alice = ConsoleUser.operator("alice");
    private final CsrfTokens tokens = at(NOW, SECRET);

    @Test
    void a_token_is_valid_for_the_user_it_was_issued_to() {
        assertThat(tokens.isValid(tokens.issue(alice), alice)).isTrue();
    }

    @Test
    void a_token_is_refused_for_another_user_or_the_same_name_with_another_role() {
        String token = tokens.issue(alice);

        assertThat(tokens.isValid(token, ConsoleUser.operator("bob"))).isFalse();
        assertThat(tokens.isValid(token, ConsoleUser.readOnly("alice"))).isFalse();
    }

    @Test
    void a_token_expires_after_its_validity() {
        String token = tokens.issue(alice);

        assertThat(at(NOW.plus(CsrfTokens.VALIDITY).minusSeconds(1), SECRET).isValid(token, alice)).isTrue();
        assertThat(at(NOW.plus(CsrfTokens.VALIDITY).plusSeconds(1), SECRET).isValid(token, alice)).isFalse();
    }

    @Test
    void a_token_issued_in_the_future_is_refused() {
        String token = at(NOW.plus(Duration.ofHours(1)), SECRET).issue(alice);

        assertThat(tokens.isValid(token, alice)).isFalse();
    }

    @Test
    void a_token_signed_with_another_secret_is_refused() {
        String token = at(NOW, filled(2)).issue(alice);

        assertThat(tokens.isValid(token, alice)).isFalse();
    }

    @Test
    void a_token_with_one_character_changed_is_refused() {
        String token = tokens.issue(alice);
        char last = token.charAt(token.length() - 2);
        String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);

        assertThat(tokens.isValid(tampered, alice)).isFalse();
    }

    @Test
    void missing_and_malformed_tokens_are_refused() {
        assertThat(tokens.isValid(null, alice)).isFalse();
        assertThat(tokens.isValid("", alice)).isFalse();
        assertThat(tokens.isValid("not base64 !", alice)).isFalse();
        assertThat(tokens.isValid("x".repeat(500), alice)).isFalse();
    }

    private static CsrfTokens at(Instant instant, byte[] secret) {
        return new CsrfTokens(secret, Clock.fixed(instant, ZoneOffset.UTC));
    }

    private static byte[] filled(int value) {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) value);
        return secret;
    }
}
