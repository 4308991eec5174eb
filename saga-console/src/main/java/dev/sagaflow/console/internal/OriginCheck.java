package dev.sagaflow.console.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a state-changing request comes from a page of the console itself: its {@code Origin} header
 * (or, when a browser sent none, its {@code Referer}) must name the host and port of its {@code Host}
 * header, or be one of the trusted origins. A request with neither header is refused: every browser that
 * could be tricked into posting sends one of them. Immutable.
 */
public final class OriginCheck {
    private final List<String> trustedOrigins;

    /** A check that also accepts {@code trustedOrigins} ({@code scheme://host[:port]}, lower case). */
    public OriginCheck(List<String> trustedOrigins) {
        this.trustedOrigins = List.copyOf(trustedOrigins);
    }

    /**
     * Why the request is refused, or empty if it is accepted.
     *
     * @param origin the {@code Origin} header, if any
     * @param referer the {@code Referer} header, if any
     * @param host the {@code Host} header, if any
     */
    public Optional<String> problem(Optional<String> origin, Optional<String> referer, Optional<String> host) {
        if (origin.filter("null"::equals).isPresent()) {
            return Optional.of("the request comes from an opaque origin");
        }
        Optional<String> source = origin.or(() -> referer);
        if (source.isEmpty()) {
            return Optional.of("the request names no Origin or Referer");
        }
        String claimed = source.get();
        URI uri;
        try {
            uri = new URI(claimed);
        } catch (URISyntaxException e) {
            return Optional.of("its origin is not a URL");
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            return Optional.of("its origin is not a URL");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String authority = uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        if (trustedOrigins.contains(scheme + "://" + authority)) {
            return Optional.empty();
        }
        // The scheme is not compared: behind a proxy that ends TLS the console sees http for an https page.
        if (host.isPresent() && sameAuthority(authority, uri.getPort(), scheme, host.get().toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of("it comes from another origin than the console's");
    }

    private static boolean sameAuthority(String authority, int port, String scheme, String host) {
        if (authority.equals(host)) {
            return true;
        }
        // Origin "http://example.com" and Host "example.com:80" are the same place.
        String defaultPort = scheme.equals("https") ? ":443" : ":80";
        return port < 0 && host.equals(authority + defaultPort);
    }
}
