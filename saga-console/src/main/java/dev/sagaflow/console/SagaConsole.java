package dev.sagaflow.console;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.console.internal.ConsoleConfig;
import dev.sagaflow.console.internal.ConsoleEngine;
import dev.sagaflow.console.internal.JdkHandler;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The operator's web console over one {@link SagaOrchestrator}: an overview of instances by saga and
 * status (the oldest RUNNING, the FAILED, those waiting too long for a reply), a filtered list with
 * paging, one saga's data, steps and history drawn as a timeline, and, for operators, retry and abort.
 * It reads and acts only through the orchestrator's public API, so it works over every store.
 *
 * <p>Mount it on the JDK server with {@link #mount(HttpServer)} (or {@link #httpHandler()}), or in a
 * Servlet container with {@link SagaConsoleServlet}. Every request is first given to the
 * {@link Builder#authorizer(Authorizer) authorizer}; state-changing requests are POSTs that must carry
 * the page's CSRF token and come from the console's own origin; every page is sent with a strict
 * Content-Security-Policy, and everything read from the store is HTML-escaped.
 *
 * <p>Immutable and thread-safe.
 */
public final class SagaConsole {
    private final ConsoleConfig config;
    private final ConsoleEngine engine;

    private SagaConsole(ConsoleConfig config) {
        this.config = config;
        this.engine = new ConsoleEngine(config);
    }

    /** A builder for a console over {@code orchestrator}. */
    public static Builder builder(SagaOrchestrator orchestrator) {
        return new Builder(orchestrator);
    }

    /** The path the console is served under, e.g. {@code /sagaflow}; {@code ""} when mounted at the root. */
    public String basePath() {
        return config.basePath();
    }

    /**
     * The handler for the JDK server; mount it at {@link #basePath()}:
     * {@code server.createContext(console.basePath(), console.httpHandler())}. To authenticate with the JDK's
     * own means, set an {@code Authenticator} on that context; the authorizer then finds the user in
     * {@link ConsoleRequest#authenticatedUser()}.
     */
    public HttpHandler httpHandler() {
        return new JdkHandler(engine, config.basePath());
    }

    /**
     * Mounts the console on {@code server} at {@link #basePath()} (at {@code /} when the base path is empty).
     *
     * @return the context created, on which the host may set an {@code Authenticator} or filters
     * @throws IllegalArgumentException if the server already has a context at that path
     */
    public HttpContext mount(HttpServer server) {
        if (server == null) {
            throw new IllegalArgumentException("server cannot be null");
        }
        return server.createContext(config.basePath().isEmpty() ? "/" : config.basePath(), httpHandler());
    }

    /** For {@link SagaConsoleServlet}, which lives in this package so that the engine stays internal. */
    ConsoleEngine engine() {
        return engine;
    }

    /** Prints every setting (not the CSRF secret). */
    @Override
    public String toString() {
        return "SagaConsole[" + config + "]";
    }

    /**
     * Configures a {@link SagaConsole}. Not thread-safe; {@link #build()} copies, so later calls do not
     * change a console already built.
     */
    public static final class Builder {
        private static final int SECRET_BYTES = 32;

        private final SagaOrchestrator orchestrator;
        private Authorizer authorizer;
        private boolean anonymousReadOnlyOnLoopback;
        private DataMasker dataMasker = DataMasker.none();
        private String basePath = "/sagaflow";
        private Duration awaitingReplyThreshold = Duration.ofMinutes(15);
        private int pageSize = 50;
        private final List<String> trustedOrigins = new ArrayList<>();
        private byte[] csrfSecret;
        private Clock clock = Clock.systemUTC();

        Builder(SagaOrchestrator orchestrator) {
            if (orchestrator == null) {
                throw new IllegalArgumentException("orchestrator cannot be null");
            }
            this.orchestrator = orchestrator;
        }

        /**
         * Who may use the console and with which role; required unless
         * {@link #allowAnonymousReadOnlyOnLoopback()} is chosen.
         */
        public Builder authorizer(Authorizer value) {
            this.authorizer = notNull(value, "authorizer");
            return this;
        }

        /**
         * For local use only (a developer's machine, a demo): serves every request that comes from a
         * loopback address to an anonymous read-only user, without an authorizer, and refuses every other
         * request. Behind a reverse proxy on the same machine every request comes from loopback, so never
         * use it there. Cannot be combined with {@link #authorizer(Authorizer)}.
         */
        public Builder allowAnonymousReadOnlyOnLoopback() {
            this.anonymousReadOnlyOnLoopback = true;
            return this;
        }

        /** Hides parts of saga data before it is shown. Default: {@link DataMasker#none()}. */
        public Builder dataMasker(DataMasker value) {
            this.dataMasker = notNull(value, "dataMasker");
            return this;
        }

        /**
         * Where the console is served: {@code "/"} or a path of one or more segments, without a trailing
         * slash. Default {@code /sagaflow}.
         *
         * @throws IllegalArgumentException if it does not start with {@code /}, ends with {@code /} (other
         *     than {@code "/"} itself), or holds characters other than letters, digits, {@code - _ . /}
         */
        public Builder basePath(String value) {
            notNull(value, "basePath");
            if (!value.equals("/") && !value.matches("(/[A-Za-z0-9._-]+)+")) {
                throw new IllegalArgumentException("basePath must be \"/\" or like \"/sagaflow\" or \"/ops/sagas\""
                        + " (letters, digits, - _ . and /, no trailing slash), was \"" + value + "\"");
            }
            this.basePath = value.equals("/") ? "" : value;
            return this;
        }

        /**
         * How long a RUNNING saga may wait for a participant's reply before the overview lists it as
         * waiting too long. Default 15 minutes.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder awaitingReplyThreshold(Duration value) {
            notNull(value, "awaitingReplyThreshold");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("awaitingReplyThreshold must be > 0, was " + value);
            }
            this.awaitingReplyThreshold = value;
            return this;
        }

        /**
         * How many instances one page of the list shows. Default 50.
         *
         * @throws IllegalArgumentException unless between 1 and 500
         */
        public Builder pageSize(int value) {
            if (value < 1 || value > 500) {
                throw new IllegalArgumentException("pageSize must be between 1 and 500, was " + value);
            }
            this.pageSize = value;
            return this;
        }

        /**
         * Origins, besides the console's own, from which a state-changing request is accepted, such as
         * {@code https://ops.example.com} when a proxy rewrites the {@code Host} header. By default a POST is
         * accepted only when its {@code Origin} (or, without one, its {@code Referer}) names the host and
         * port of the request's {@code Host} header.
         *
         * @throws IllegalArgumentException if an origin is not {@code http(s)://host[:port]}
         */
        public Builder trustedOrigins(String... origins) {
            for (String origin : notNull(origins, "origins")) {
                URI uri;
                try {
                    uri = new URI(notNull(origin, "origin"));
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalArgumentException("origin must be http(s)://host[:port], was \"" + origin + "\"", e);
                }
                if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null
                        || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null) {
                    throw new IllegalArgumentException("origin must be http(s)://host[:port], was \"" + origin + "\"");
                }
                trustedOrigins.add(origin.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /**
         * The key that signs the CSRF tokens in the console's forms. Default: a random key per console, so
         * a form shown by one process is refused by another. Give every node behind one address the same
         * secret (at least 32 random bytes, kept secret) so that a form rendered by one node may be posted
         * to another.
         *
         * @throws IllegalArgumentException if shorter than 32 bytes
         */
        public Builder csrfSecret(byte[] secret) {
            notNull(secret, "csrfSecret");
            if (secret.length < SECRET_BYTES) {
                throw new IllegalArgumentException("csrfSecret must have at least " + SECRET_BYTES + " bytes, had "
                        + secret.length);
            }
            this.csrfSecret = secret.clone();
            return this;
        }

        /** The clock for ages and token expiry; for tests. */
        Builder clock(Clock value) {
            this.clock = notNull(value, "clock");
            return this;
        }

        /**
         * Builds the console.
         *
         * @throws IllegalStateException if neither an authorizer nor anonymous local access was chosen, or
         *     both were
         */
        public SagaConsole build() {
            if (authorizer == null && !anonymousReadOnlyOnLoopback) {
                throw new IllegalStateException("a SagaConsole needs an authorizer (who may look, who may act);"
                        + " for local use only, allowAnonymousReadOnlyOnLoopback() serves loopback requests read-only");
            }
            if (authorizer != null && anonymousReadOnlyOnLoopback) {
                throw new IllegalStateException("choose either an authorizer or allowAnonymousReadOnlyOnLoopback(),"
                        + " not both");
            }
            byte[] secret = csrfSecret;
            if (secret == null) {
                secret = new byte[SECRET_BYTES];
                new SecureRandom().nextBytes(secret);
            }
            return new SagaConsole(new ConsoleConfig(orchestrator, authorizer, dataMasker, basePath,
                    awaitingReplyThreshold, pageSize, List.copyOf(trustedOrigins), Arrays.copyOf(secret, secret.length),
                    clock));
        }

        private static <T> T notNull(T value, String name) {
            if (value == null) {
                throw new IllegalArgumentException(name + " cannot be null");
            }
            return value;
        }
    }
}
