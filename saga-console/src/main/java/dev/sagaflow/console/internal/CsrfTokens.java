package dev.sagaflow.console.internal;

import dev.sagaflow.console.ConsoleUser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens that a state-changing form carries to prove it was rendered by this console for this user: the
 * time it was issued and an HMAC-SHA256 over that time and the user's name and role, with the console's
 * secret. Stateless, so it needs no session; it is valid for {@link #VALIDITY} and only for the user it
 * was issued to. Thread-safe.
 */
public final class CsrfTokens {
    /** How long a rendered form can be posted. */
    public static final Duration VALIDITY = Duration.ofHours(12);

    private static final String ALGORITHM = "HmacSHA256";
    private final SecretKeySpec key;
    private final Clock clock;

    /** Tokens signed with {@code secret} (kept, not copied: the caller's copy), timed by {@code clock}. */
    public CsrfTokens(byte[] secret, Clock clock) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.clock = clock;
    }

    /** A token for {@code user}, issued now. */
    public String issue(ConsoleUser user) {
        long issuedAt = clock.millis() / 1000;
        byte[] mac = mac(user, issuedAt);
        ByteBuffer token = ByteBuffer.allocate(Long.BYTES + mac.length).putLong(issuedAt).put(mac);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token.array());
    }

    /** Whether {@code token} was issued by this console (its secret) to {@code user} within {@link #VALIDITY}. */
    public boolean isValid(String token, ConsoleUser user) {
        if (token == null || token.length() > 100) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (decoded.length != Long.BYTES + 32) {
            return false;
        }
        ByteBuffer buffer = ByteBuffer.wrap(decoded);
        long issuedAt = buffer.getLong();
        byte[] mac = new byte[32];
        buffer.get(mac);
        long now = clock.millis() / 1000;
        // A token from the future (a clock set back, or a forged time) is refused as well as an old one.
        if (issuedAt > now + 60 || now - issuedAt > VALIDITY.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(mac, mac(user, issuedAt));
    }

    private byte[] mac(ConsoleUser user, long issuedAt) {
        try {
            Mac hmac = Mac.getInstance(ALGORITHM);
            hmac.init(key);
            hmac.update(ByteBuffer.allocate(Long.BYTES).putLong(issuedAt).array());
            hmac.update(user.role().name().getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            return hmac.doFinal(user.name().getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
