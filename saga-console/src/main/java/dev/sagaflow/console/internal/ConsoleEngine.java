package dev.sagaflow.console.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.SagaException;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.UnknownSagaException;
import dev.sagaflow.console.ConsoleUser;
import dev.sagaflow.console.internal.Pages.Context;
import dev.sagaflow.console.internal.SagaPage.Action;
import dev.sagaflow.console.internal.SagaPage.ShownData;
import dev.sagaflow.console.internal.SagaQueries.Counts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one request: authorises it, routes it, checks a state-changing request's CSRF token and origin,
 * reads or acts through {@link SagaQueries}, renders the page, and adds the security headers every response
 * carries. Whatever server carries the request ({@link Exchange}). Thread-safe.
 *
 * <p>Routes, below the base path: {@code GET /} (overview), {@code GET /sagas} (list),
 * {@code GET /sagas/{id}} (one saga), {@code GET|POST /sagas/{id}/retry} and {@code .../abort} (confirm,
 * act), {@code GET /assets/console.css|console.js}.
 */
public final class ConsoleEngine {
    /** Sent with every response: scripts and styles only from the console itself, nothing inline, no framing. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final Logger log = LoggerFactory.getLogger(ConsoleEngine.class);
    private static final int MAX_FORM_BYTES = 16 * 1024;
    private static final ConsoleUser ANONYMOUS = ConsoleUser.readOnly("anonymous");
    private static final Map<String, String> ASSET_TYPES = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");

    private final ConsoleConfig config;
    private final SagaQueries queries;
    private final CsrfTokens csrf;
    private final OriginCheck origins;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, byte[]> assets;

    /**
     * An engine with {@code config}'s settings; reads the style sheet and script from the jar.
     *
     * @throws IllegalStateException if they are missing from the jar
     */
    public ConsoleEngine(ConsoleConfig config) {
        this.config = config;
        this.queries = new SagaQueries(config.orchestrator());
        this.csrf = new CsrfTokens(config.csrfSecret(), config.clock());
        this.origins = new OriginCheck(config.trustedOrigins());
        this.assets = Map.of("console.css", readAsset("console.css"), "console.js", readAsset("console.js"));
    }

    /** Serves {@code exchange}. Never throws for a problem of the request or of the orchestrator: it answers it. */
    public void handle(Exchange exchange) throws IOException {
        Response response;
        try {
            response = respond(exchange);
        } catch (RuntimeException e) {
            log.warn("console: {} {} failed", exchange.method(), exchange.path(), e);
            response = Response.text(500, "The console could not answer: " + e.getClass().getSimpleName()
                    + ". The host's log has the details.");
        }
        exchange.send(secured(response));
    }

    private Response respond(Exchange exchange) throws IOException {
        String sub = exchange.subPath();
        if (!sub.isEmpty() && !sub.startsWith("/")) {
            return Response.text(404, "Not found");
        }
        Optional<ConsoleUser> user = authorize(exchange);
        if (user.isEmpty()) {
            return Response.text(403, "You are not allowed to use this console.");
        }
        Instant now = config.clock().instant();
        Context context = new Context(exchange.basePath(), user.get(), now);
        List<String> segments = segments(sub);
        String method = exchange.method().toUpperCase(Locale.ROOT);
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        if (!get && !post) {
            return Response.text(405, "Method not allowed").withHeader("Allow", "GET, POST");
        }
        if (segments.size() == 2 && segments.get(0).equals("assets") && get) {
            return asset(segments.get(1));
        }
        if (segments.isEmpty() && get) {
            return Response.html(200, overview(context));
        }
        if (segments.size() == 1 && segments.get(0).equals("sagas") && get) {
            return list(context, ListFilter.parse(Params.parse(exchange.rawQuery())));
        }
        if (segments.size() == 2 && segments.get(0).equals("sagas") && get) {
            return saga(context, segments.get(1), Params.parse(exchange.rawQuery()).get("done"));
        }
        if (segments.size() == 3 && segments.get(0).equals("sagas") && Action.ofPath(segments.get(2)) != null) {
            Action action = Action.ofPath(segments.get(2));
            return post ? act(exchange, context, segments.get(1), action) : confirm(context, segments.get(1), action);
        }
        return Response.html(404, Pages.message(context, "Not found", "The console has no page at this address."));
    }

    private Optional<ConsoleUser> authorize(Exchange exchange) {
        if (config.anonymousReadOnlyOnLoopback()) {
            return exchange.remoteAddress() != null && exchange.remoteAddress().isLoopbackAddress()
                    ? Optional.of(ANONYMOUS) : Optional.empty();
        }
        try {
            Optional<ConsoleUser> user = config.authorizer().authorize(exchange);
            return user == null ? Optional.empty() : user;
        } catch (RuntimeException e) {
            log.warn("console: the authorizer threw for {} {}; the request is refused", exchange.method(),
                    exchange.path(), e);
            return Optional.empty();
        }
    }

    private String overview(Context context) {
        Counts counts = queries.counts();
        return Pages.overview(context, counts,
                queries.oldest(SagaStatus.RUNNING, Pages.OVERVIEW_ROWS),
                queries.oldest(SagaStatus.FAILED, Pages.OVERVIEW_ROWS),
                queries.awaitingReply(context.now().minus(config.awaitingReplyThreshold()), Pages.OVERVIEW_ROWS),
                config.awaitingReplyThreshold());
    }

    private Response list(Context context, ListFilter filter) {
        if (filter.id() != null && filter.problems().isEmpty()) {
            Optional<SagaInfo> found = queries.find(filter.id());
            if (found.isPresent()) {
                return Response.seeOther(context.sagaUrl(found.get().sagaId()));
            }
        }
        SagaQueries.Page page = filter.id() != null ? new SagaQueries.Page(List.of(), null)
                : queries.page(filter, config.pageSize(), context.now());
        // No saga names to suggest in the filter form: counting them on every page is not free.
        return Response.html(200, Pages.list(context, filter, page, List.of()));
    }

    private Response saga(Context context, String id, String done) {
        Optional<SagaInfo> saga = queries.find(id);
        if (saga.isEmpty()) {
            return notFound(context, id);
        }
        // Whoever opens this address sees the notice, so it names no one; the history says who acted.
        String notice = done == null ? null : switch (done) {
            case "retry" -> "Retried: its stuck step or compensation runs again.";
            case "abort" -> "Aborted: it compensates the steps that took effect.";
            default -> null;
        };
        return Response.html(200, sagaPage(context, saga.get(), notice, false));
    }

    private Response confirm(Context context, String id, Action action) {
        Optional<SagaInfo> saga = queries.find(id);
        if (saga.isEmpty()) {
            return notFound(context, id);
        }
        if (!context.user().role().mayAct()) {
            return forbidden(context);
        }
        return Response.html(200, SagaPage.confirmPage(context, saga.get(), action, csrf.issue(context.user())));
    }

    private Response act(Exchange exchange, Context context, String id, Action action) throws IOException {
        if (!context.user().role().mayAct()) {
            return forbidden(context);
        }
        Optional<String> badOrigin = origins.problem(exchange.header("Origin"), exchange.header("Referer"),
                exchange.header("Host"));
        if (badOrigin.isPresent()) {
            log.warn("console: refused {} of saga {} by {}: {}", action.path(), id, context.user(), badOrigin.get());
            return Response.html(403, Pages.message(context, "Refused", "This request was refused because "
                    + badOrigin.get() + "."));
        }
        String contentType = exchange.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/x-www-form-urlencoded")) {
            return Response.text(415, "A form is expected (application/x-www-form-urlencoded).");
        }
        Params form;
        try {
            form = Params.parse(new String(exchange.body(MAX_FORM_BYTES), StandardCharsets.UTF_8));
        } catch (Exchange.BodyTooLargeException e) {
            return Response.text(413, "The form is too large.");
        }
        if (!csrf.isValid(form.get("csrf"), context.user())) {
            log.warn("console: refused {} of saga {} by {}: missing or invalid CSRF token", action.path(), id,
                    context.user());
            return Response.html(403, Pages.message(context, "Refused", "The form has expired or was not issued to"
                    + " you. Open the saga's page again and repeat the action."));
        }
        Optional<SagaInfo> saga = queries.find(id);
        if (saga.isEmpty()) {
            return notFound(context, id);
        }
        try {
            if (action == Action.RETRY) {
                queries.retry(id, context.user());
            } else {
                String reason = form.get("reason");
                if (reason == null || reason.length() > SagaPage.MAX_REASON) {
                    return Response.html(400, sagaPage(context, saga.get(), "An abort needs a reason of at most "
                            + SagaPage.MAX_REASON + " characters.", true));
                }
                queries.abort(id, reason, context.user());
            }
        } catch (IllegalTransitionException | UnknownSagaException e) {
            SagaInfo current = queries.find(id).orElse(saga.get());
            return Response.html(409, sagaPage(context, current, "Could not " + action.path() + ": " + e.getMessage(),
                    true));
        } catch (SagaException e) {
            log.warn("console: {} of saga {} by {} failed", action.path(), id, context.user(), e);
            return Response.html(503, sagaPage(context, saga.get(), "Could not " + action.path() + " now: "
                    + e.getMessage(), true));
        }
        return Response.seeOther(context.sagaUrl(id) + "?done=" + action.path());
    }

    private String sagaPage(Context context, SagaInfo saga, String notice, boolean noticeIsError) {
        String token = context.user().role().mayAct() ? csrf.issue(context.user()) : null;
        return SagaPage.render(context, saga, shownData(saga), token, notice, noticeIsError);
    }

    /** The saga's data after the host's masker, pretty-printed; hidden when it cannot be masked. */
    ShownData shownData(SagaInfo saga) {
        JsonNode tree;
        try {
            tree = json.readTree(saga.dataJson());
        } catch (JsonProcessingException | RuntimeException e) {
            return new ShownData(null, "The stored data is not JSON, so it cannot be masked and is not shown.");
        }
        JsonNode masked;
        try {
            masked = config.dataMasker().mask(saga.sagaName(), tree);
        } catch (RuntimeException e) {
            log.warn("console: the data masker threw for saga {} ({}); its data is not shown", saga.sagaId(),
                    saga.sagaName(), e);
            return new ShownData(null, "The data masker failed on this saga's data, so it is not shown.");
        }
        if (masked == null) {
            return new ShownData(null, "The data masker hides this saga's data.");
        }
        try {
            return new ShownData(json.writeValueAsString(masked), null);
        } catch (JsonProcessingException e) {
            return new ShownData(null, "The masked data cannot be written as JSON, so it is not shown.");
        }
    }

    private Response notFound(Context context, String id) {
        return Response.html(404, Pages.message(context, "No such saga", "No saga instance has the id " + id + "."));
    }

    private static Response forbidden(Context context) {
        return Response.html(403, Pages.message(context, "Not allowed", "You have read-only access: only an operator"
                + " can retry or abort a saga."));
    }

    private Response asset(String name) {
        byte[] body = assets.get(name);
        if (body == null) {
            return Response.text(404, "Not found");
        }
        return new Response(200, Map.of("Content-Type", ASSET_TYPES.get(name), "Cache-Control", "max-age=300"), body);
    }

    private static Response secured(Response response) {
        Response secured = response.withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("Referrer-Policy", "same-origin")
                .withHeader("Cross-Origin-Opener-Policy", "same-origin")
                .withHeader("Cross-Origin-Resource-Policy", "same-origin");
        return secured.headers().containsKey("Cache-Control") ? secured : secured.withHeader("Cache-Control", "no-store");
    }

    /** The decoded segments of a path below the base: {@code /sagas/a%2Fb} gives {@code [sagas, a/b]}. */
    static List<String> segments(String subPath) {
        return java.util.Arrays.stream(subPath.split("/")).filter(s -> !s.isEmpty()).map(ConsoleEngine::decodePath)
                .toList();
    }

    private static String decodePath(String segment) {
        // '+' is a literal plus in a path; only percent escapes are decoded.
        return Params.decode(segment.replace("+", "%2B"));
    }

    private static byte[] readAsset(String name) {
        try (InputStream in = ConsoleEngine.class.getResourceAsStream("/dev/sagaflow/console/assets/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's asset " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
