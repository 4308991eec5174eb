package dev.sagaflow.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.console.internal.ConsoleEngine;
import dev.sagaflow.console.support.ConsoleServer;
import dev.sagaflow.console.support.ShopSagas;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The console over HTTP on the JDK server, with the shop's sagas in memory: authorisation, CSRF and origin
 * checks, actions, escaping, masking, filters and paging. No browser.
 */
class SagaConsoleHttpTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Authorizer BY_HEADER = request -> request.header("X-User").map(user -> user.startsWith("op-")
            ? ConsoleUser.operator(user) : ConsoleUser.readOnly(user));

    private ShopSagas shop;
    private ConsoleServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (shop != null) {
            shop.close();
        }
    }

    private ConsoleServer start(UnaryOperator<SagaConsole.Builder> configure) {
        shop = ShopSagas.populate(InMemorySagaStore.create(), NOW.minus(Duration.ofHours(3)), NOW);
        SagaConsole console = configure.apply(SagaConsole.builder(shop.orchestrator())
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))).build();
        server = ConsoleServer.start(console);
        return server;
    }

    private ConsoleServer startWithUsers() {
        return start(b -> b.authorizer(BY_HEADER).dataMasker(DataMasker.fields("cardNumber")));
    }

    private HttpResponse<String> get(String path, String user) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("X-User", user).GET().build());
    }

    private HttpResponse<String> post(String path, String user, String form, String origin) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).header("X-User", user)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return server.send(request.build());
    }

    private String csrfToken(String sagaId, String user) {
        Matcher matcher = CSRF.matcher(get("/sagas/" + sagaId, user).body());
        assertThat(matcher.find()).as("the saga page has a form with a CSRF token").isTrue();
        return matcher.group(1);
    }

    private SagaInfo saga(String role) {
        return shop.orchestrator().find(shop.id(role)).orElseThrow();
    }

    private static String form(String... pairs) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            form.append(i == 0 ? "" : "&").append(pairs[i]).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return form.toString();
    }

    @Nested
    class Authorisation {
        @Test
        void a_request_the_authorizer_refuses_gets_403_and_no_saga_data() {
            startWithUsers();

            HttpResponse<String> response = server.get("/");

            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).doesNotContain("order-saga");
        }

        @Test
        void an_authorizer_that_throws_refuses_the_request() {
            start(b -> b.authorizer(request -> {
                throw new IllegalStateException("identity provider down");
            }));

            assertThat(server.get("/").statusCode()).isEqualTo(403);
        }

        @Test
        void anonymous_local_access_serves_loopback_read_only_and_refuses_actions() {
            start(SagaConsole.Builder::allowAnonymousReadOnlyOnLoopback);

            assertThat(server.get("/").statusCode()).isEqualTo(200);
            assertThat(server.get("/sagas/" + shop.id("failed")).body())
                    .contains("You have read-only access").doesNotContain("name=\"csrf\"");
            assertThat(server.post("/sagas/" + shop.id("failed") + "/retry", "csrf=x", "Origin", server.origin(),
                    "Content-Type", "application/x-www-form-urlencoded").statusCode()).isEqualTo(403);
            assertThat(saga("failed").status()).isEqualTo(SagaStatus.FAILED);
        }

        @Test
        void a_read_only_user_sees_every_page_but_no_action_form_and_cannot_act() {
            startWithUsers();
            String failed = shop.id("failed");

            assertThat(get("/", "rita").statusCode()).isEqualTo(200);
            assertThat(get("/sagas/" + failed, "rita").body()).doesNotContain("name=\"csrf\"");
            assertThat(get("/sagas/" + failed + "/retry", "rita").statusCode()).isEqualTo(403);
            String operatorsToken = csrfToken(failed, "op-olga");
            assertThat(post("/sagas/" + failed + "/retry", "rita", form("csrf", operatorsToken), server.origin())
                    .statusCode()).isEqualTo(403);
            assertThat(saga("failed").status()).isEqualTo(SagaStatus.FAILED);
        }

        @Test
        void the_page_names_the_user_and_the_role() {
            startWithUsers();

            assertThat(get("/", "op-olga").body()).contains("<span class=\"user\">op-olga · operator</span>");
            assertThat(get("/", "rita").body()).contains("<span class=\"user\">rita · read-only</span>");
        }
    }

    @Nested
    class Actions {
        @Test
        void an_operator_retries_a_failed_saga_and_its_history_records_the_retry() {
            startWithUsers();
            String failed = shop.id("failed");
            shop.ledgerComesBack();

            HttpResponse<String> response = post("/sagas/" + failed + "/retry", "op-olga",
                    form("csrf", csrfToken(failed, "op-olga")), server.origin());

            assertThat(response.statusCode()).isEqualTo(303);
            assertThat(response.headers().firstValue("Location")).contains("/sagaflow/sagas/" + failed + "?done=retry");
            SagaInfo after = saga("failed");
            assertThat(after.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(after.history()).filteredOn(e -> e.type() == SagaEventType.SAGA_RETRIED)
                    .extracting(HistoryEntry::detail).containsExactly("by op-olga");
            assertThat(get("/sagas/" + failed + "?done=retry", "op-olga").body()).contains("Retried: its stuck step or compensation runs again.");
        }

        @Test
        void an_operator_aborts_a_running_saga_with_a_reason_recorded_with_their_name() {
            startWithUsers();
            String awaiting = shop.id("awaiting");
            shop.ledgerComesBack();

            HttpResponse<String> response = post("/sagas/" + awaiting + "/abort", "op-olga",
                    form("csrf", csrfToken(awaiting, "op-olga"), "reason", "customer cancelled by phone"), server.origin());

            assertThat(response.statusCode()).isEqualTo(303);
            SagaInfo after = saga("awaiting");
            assertThat(after.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(after.history()).filteredOn(e -> e.type() == SagaEventType.SAGA_ABORTED)
                    .extracting(HistoryEntry::detail)
                    .containsExactly("by op-olga: customer cancelled by phone");
        }

        @Test
        void an_abort_without_a_reason_is_refused_and_changes_nothing() {
            startWithUsers();
            String awaiting = shop.id("awaiting");

            HttpResponse<String> response = post("/sagas/" + awaiting + "/abort", "op-olga",
                    form("csrf", csrfToken(awaiting, "op-olga"), "reason", "  "), server.origin());

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("An abort needs a reason");
            assertThat(saga("awaiting").status()).isEqualTo(SagaStatus.RUNNING);
        }

        @Test
        void retrying_a_saga_that_is_not_failed_answers_409_with_the_orchestrators_reason() {
            startWithUsers();
            String completed = shop.id("completed");

            HttpResponse<String> response = post("/sagas/" + completed + "/retry", "op-olga",
                    form("csrf", csrfToken(shop.id("failed"), "op-olga")), server.origin());

            assertThat(response.statusCode()).isEqualTo(409);
            assertThat(response.body()).contains("Could not retry").contains("only a FAILED saga can be retried");
            assertThat(saga("completed").status()).isEqualTo(SagaStatus.COMPLETED);
        }

        @Test
        void the_confirmation_page_holds_the_form_that_posts_the_action() {
            startWithUsers();
            String awaiting = shop.id("awaiting");

            String page = get("/sagas/" + awaiting + "/abort", "op-olga").body();

            assertThat(page).contains("Abort this saga?").contains("<form method=\"post\" class=\"confirm\" action=\"/sagaflow/sagas/"
                    + awaiting + "/abort\">").contains("name=\"reason\" required").containsPattern(CSRF);
        }

        @Test
        void the_saga_page_offers_retry_only_for_failed_and_abort_only_for_running_sagas() {
            startWithUsers();

            assertThat(get("/sagas/" + shop.id("failed"), "op-olga").body()).contains("id=\"retry-button\"")
                    .doesNotContain("id=\"abort-button\"");
            assertThat(get("/sagas/" + shop.id("awaiting"), "op-olga").body()).contains("id=\"abort-button\"")
                    .doesNotContain("id=\"retry-button\"");
            assertThat(get("/sagas/" + shop.id("completed"), "op-olga").body()).doesNotContain("id=\"retry-button\"")
                    .doesNotContain("id=\"abort-button\"");
        }
    }

    @Nested
    class CrossSiteRequestForgery {
        @Test
        void a_post_without_a_csrf_token_is_refused() {
            startWithUsers();
            String failed = shop.id("failed");

            HttpResponse<String> response = post("/sagas/" + failed + "/retry", "op-olga", "", server.origin());

            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("The form has expired or was not issued to you");
            assertThat(saga("failed").history()).extracting(HistoryEntry::type).doesNotContain(SagaEventType.SAGA_RETRIED);
        }

        @Test
        void a_token_issued_to_another_operator_is_refused() {
            startWithUsers();
            String failed = shop.id("failed");

            HttpResponse<String> response = post("/sagas/" + failed + "/retry", "op-mallory",
                    form("csrf", csrfToken(failed, "op-olga")), server.origin());

            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(saga("failed").status()).isEqualTo(SagaStatus.FAILED);
        }

        @Test
        void a_post_from_another_origin_is_refused_even_with_a_valid_token() {
            startWithUsers();
            String failed = shop.id("failed");

            HttpResponse<String> response = post("/sagas/" + failed + "/retry", "op-olga",
                    form("csrf", csrfToken(failed, "op-olga")), "http://evil.example");

            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("it comes from another origin than the console&#39;s");
            assertThat(saga("failed").status()).isEqualTo(SagaStatus.FAILED);
        }

        @Test
        void a_post_that_names_no_origin_or_referer_is_refused() {
            startWithUsers();
            String failed = shop.id("failed");

            HttpResponse<String> response = post("/sagas/" + failed + "/retry", "op-olga",
                    form("csrf", csrfToken(failed, "op-olga")), null);

            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(saga("failed").status()).isEqualTo(SagaStatus.FAILED);
        }

        @Test
        void a_post_that_is_not_a_form_is_refused() {
            startWithUsers();
            String failed = shop.id("failed");

            HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/sagas/" + failed + "/retry"))
                    .header("X-User", "op-olga").header("Origin", server.origin()).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(form("csrf", csrfToken(failed, "op-olga")))).build());

            assertThat(response.statusCode()).isEqualTo(415);
            assertThat(saga("failed").status()).isEqualTo(SagaStatus.FAILED);
        }

        @Test
        void a_get_never_changes_anything() {
            startWithUsers();
            String failed = shop.id("failed");

            get("/sagas/" + failed + "/retry?csrf=" + csrfToken(failed, "op-olga"), "op-olga");

            assertThat(saga("failed").status()).isEqualTo(SagaStatus.FAILED);
        }
    }

    @Nested
    class HostileContent {
        @Test
        void saga_names_step_names_data_and_errors_are_escaped_on_every_page() {
            startWithUsers();
            String hostileName = ShopSagas.HOSTILE_SAGA;
            List<String> pages = List.of(
                    get("/", "op-olga").body(),
                    get("/sagas", "op-olga").body(),
                    get("/sagas?name=" + URLEncoder.encode(hostileName, StandardCharsets.UTF_8), "op-olga").body(),
                    get("/sagas/" + shop.id("hostile"), "op-olga").body(),
                    get("/sagas/" + shop.id("failed"), "op-olga").body(),
                    get("/sagas/" + shop.id("failed") + "/retry", "op-olga").body());

            for (String page : pages) {
                assertThat(page).doesNotContain(ShopSagas.SCRIPT).doesNotContain(hostileName)
                        .doesNotContain(ShopSagas.HOSTILE_STEP).doesNotContain("<script>window");
            }
            assertThat(pages.get(0)).contains("refund-&lt;img src=x onerror=&quot;window.__pwned=true&quot;&gt;");
            assertThat(pages.get(3)).contains("&lt;b onmouseover=&quot;window.__pwned=true&quot;&gt;notify&lt;/b&gt;")
                    .contains("&lt;script&gt;window.__pwned = true; alert(&#39;pwned&#39;)&lt;/script&gt;");
        }

        @Test
        void an_id_or_filter_from_the_address_bar_is_escaped_too() {
            startWithUsers();

            String notFound = get("/sagas/" + URLEncoder.encode("<script>x</script>", StandardCharsets.UTF_8), "rita").body();
            String filtered = get("/sagas?key=%3Cscript%3Ex%3C%2Fscript%3E&name=%22%3E%3Cscript%3E", "rita").body();

            assertThat(notFound).doesNotContain("<script>x").contains("&lt;script&gt;x&lt;/script&gt;");
            assertThat(filtered).doesNotContain("<script>x").doesNotContain("\"><script>");
        }

        @Test
        void every_response_carries_a_strict_content_security_policy_and_nosniff() {
            startWithUsers();

            for (HttpResponse<String> response : List.of(get("/", "rita"), get("/sagas/" + shop.id("failed"), "rita"),
                    get("/assets/console.js", "rita"), get("/nowhere", "rita"), server.get("/"))) {
                assertThat(response.headers().firstValue("Content-Security-Policy"))
                        .contains(ConsoleEngine.CONTENT_SECURITY_POLICY);
                assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
                assertThat(response.headers().firstValue("X-Frame-Options")).contains("DENY");
            }
            assertThat(ConsoleEngine.CONTENT_SECURITY_POLICY).contains("script-src 'self'").doesNotContain("unsafe");
        }

        @Test
        void pages_have_no_inline_script_or_style() {
            startWithUsers();

            String page = get("/sagas/" + shop.id("failed"), "op-olga").body();

            assertThat(page).doesNotContainPattern("<script(?! defer src=)").doesNotContain("style=")
                    .doesNotContain("<style").doesNotContain(" onclick=");
        }
    }

    @Nested
    class DataMasking {
        @Test
        void the_data_is_shown_pretty_after_the_hosts_masker() {
            startWithUsers();

            String page = get("/sagas/" + shop.id("completed"), "rita").body();

            assertThat(page).contains("&quot;cardNumber&quot; : &quot;***&quot;").doesNotContain("4111 1111");
            assertThat(page).contains("&quot;orderId&quot; : &quot;o-1&quot;,\n");
        }

        @Test
        void when_the_masker_throws_no_data_is_shown() {
            start(b -> b.authorizer(BY_HEADER).dataMasker((name, data) -> {
                throw new IllegalStateException("masking rules not loaded");
            }));

            String page = get("/sagas/" + shop.id("completed"), "rita").body();

            assertThat(page).contains("The data masker failed on this saga&#39;s data, so it is not shown.")
                    .doesNotContain("4111 1111").doesNotContain("cardNumber");
        }
    }

    @Nested
    class OverviewAndList {
        @Test
        void the_overview_counts_by_saga_and_status_and_lists_running_failed_and_long_waiting_sagas() {
            startWithUsers();

            String page = get("/", "rita").body();

            assertThat(page).contains("<a href=\"/sagaflow/sagas?name=order-saga&amp;status=COMPLETED\">2</a>");
            assertThat(page).contains("<a href=\"/sagaflow/sagas?name=payment-saga&amp;status=COMPENSATING\">1</a>");
            assertThat(section(page, "oldest-running")).contains(shortId("awaiting")).contains(shortId("retrying"));
            assertThat(section(page, "failed")).contains(shortId("failed")).doesNotContain(shortId("awaiting"));
            assertThat(section(page, "awaiting-reply")).contains(shortId("awaiting")).doesNotContain(shortId("retrying"));
        }

        @Test
        void a_wait_shorter_than_the_threshold_is_not_listed_as_too_long() {
            start(b -> b.authorizer(BY_HEADER).awaitingReplyThreshold(Duration.ofHours(12)));

            assertThat(section(get("/", "rita").body(), "awaiting-reply")).contains("No saga has waited that long")
                    .contains("more than 12 h");
        }

        @Test
        void the_list_filters_by_status_and_name() {
            startWithUsers();

            String failed = get("/sagas?status=FAILED", "rita").body();
            String payments = get("/sagas?name=payment-saga", "rita").body();

            assertThat(ids(failed)).containsExactly(shop.id("failed"));
            assertThat(ids(payments)).containsExactlyInAnyOrder(shop.id("retrying"), shop.id("compensating"));
        }

        @Test
        void the_list_filters_by_age_and_by_time_without_progress() {
            startWithUsers();

            // The fixture ran from 3 h before NOW; its last sagas started 2 h 40 min before NOW.
            assertThat(ids(get("/sagas?age=1h", "rita").body())).hasSize(8);
            assertThat(ids(get("/sagas?age=6h", "rita").body())).isEmpty();
            assertThat(ids(get("/sagas?status=RUNNING&idle=1h", "rita").body()))
                    .containsExactlyInAnyOrder(shop.id("awaiting"), shop.id("retrying"));
        }

        @Test
        void an_id_that_exists_leads_to_its_page_and_one_that_does_not_says_so() {
            startWithUsers();

            HttpResponse<String> found = get("/sagas?id=" + shop.id("failed"), "rita");
            HttpResponse<String> missing = get("/sagas?id=no-such-id", "rita");

            assertThat(found.statusCode()).isEqualTo(303);
            assertThat(found.headers().firstValue("Location")).contains("/sagaflow/sagas/" + shop.id("failed"));
            assertThat(missing.body()).contains("No saga instance has the id <code>no-such-id</code>.");
        }

        @Test
        void the_list_finds_an_instance_by_its_idempotency_key_in_any_saga() {
            shop = ShopSagas.populate(InMemorySagaStore.create(), NOW.minus(Duration.ofHours(3)), NOW);
            String keyed = shop.startKeyedOrder("order-key-42");
            server = ConsoleServer.start(SagaConsole.builder(shop.orchestrator()).authorizer(BY_HEADER)
                    .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());

            assertThat(ids(get("/sagas?key=order-key-42", "rita").body())).containsExactly(keyed);
            assertThat(ids(get("/sagas?key=order-key-42&name=payment-saga", "rita").body())).isEmpty();
        }

        @Test
        void pages_of_the_list_follow_each_other_without_gaps_or_repeats() {
            start(b -> b.authorizer(BY_HEADER).pageSize(3));
            Set<String> seen = new LinkedHashSet<>();
            String path = "/sagas";
            int pages = 0;
            while (path != null) {
                String page = get(path, "rita").body();
                List<String> ids = ids(page);
                assertThat(ids).hasSizeBetween(1, 3);
                assertThat(seen).doesNotContainAnyElementsOf(ids);
                seen.addAll(ids);
                Matcher next = Pattern.compile("rel=\"next\" class=\"next\" href=\"/sagaflow(/sagas[^\"]+)\"").matcher(page);
                path = next.find() ? next.group(1).replace("&amp;", "&") : null;
                pages++;
            }
            assertThat(pages).isEqualTo(3);
            assertThat(seen).containsExactlyInAnyOrderElementsOf(shop.ids().values());
        }

        @Test
        void filters_that_cannot_be_read_are_named_and_ignored() {
            startWithUsers();

            String page = get("/sagas?status=ASLEEP&age=3y", "rita").body();

            assertThat(page).contains("Ignored filters that could not be read: status, age.");
            assertThat(ids(page)).hasSize(8);
        }

        @Test
        void unknown_pages_answer_404_and_other_methods_405() {
            startWithUsers();

            assertThat(get("/nowhere", "rita").statusCode()).isEqualTo(404);
            assertThat(get("/sagas/" + "no-such-saga", "rita").statusCode()).isEqualTo(404);
            assertThat(server.send(HttpRequest.newBuilder(server.uri("/")).header("X-User", "rita")
                    .method("DELETE", HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(405);
            assertThat(server.send(HttpRequest.newBuilder(java.net.URI.create(server.origin() + "/sagaflowx"))
                    .header("X-User", "rita").GET().build()).statusCode()).isEqualTo(404);
        }

        private String section(String page, String id) {
            int start = page.indexOf("<section id=\"" + id + "\">");
            assertThat(start).as("section %s", id).isNotNegative();
            return page.substring(start, page.indexOf("</section>", start));
        }

        private String shortId(String role) {
            return shop.id(role).substring(0, 8);
        }

        private List<String> ids(String page) {
            int table = page.indexOf("<table class=\"sagas\" id=\"results\">");
            if (table < 0) {
                return List.of();
            }
            Matcher link = Pattern.compile("<td class=\"id\"><a href=\"/sagaflow/sagas/([^\"]+)\">")
                    .matcher(page.substring(table, page.indexOf("</table>", table)));
            List<String> ids = new java.util.ArrayList<>();
            while (link.find()) {
                ids.add(link.group(1));
            }
            return ids;
        }
    }
}
