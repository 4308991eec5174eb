package dev.sagaflow.console.internal;

import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.console.ConsoleUser;
import dev.sagaflow.console.internal.SagaQueries.Counts;
import dev.sagaflow.console.internal.SagaQueries.Page;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console's pages but one saga's ({@link SagaPage}): the layout around every page, the overview, the
 * list, and the small pages for refusals and errors. Every value from the store or the request goes
 * through {@link Html#text} or {@link Html#attr}. Stateless.
 */
public final class Pages {
    /** How many instances each table of the overview shows. */
    public static final int OVERVIEW_ROWS = 10;
    private static final int ERROR_PREVIEW = 140;

    private Pages() {
    }

    /** Links and the user for one request's page. */
    public record Context(String base, ConsoleUser user, Instant now) {
        /** The link to {@code path} below the console's base path. */
        public String url(String path) {
            return base + path;
        }

        /** The link to one saga's page. */
        public String sagaUrl(String id) {
            return base + "/sagas/" + Params.encode(id);
        }
    }

    /** Wraps {@code main} in the page layout. */
    public static String layout(Context context, String title, String main) {
        Html page = new Html();
        page.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .raw("<title>").text(title).raw(" · Sagaflow console</title>")
                .raw("<link rel=\"stylesheet\"").attr("href", context.url("/assets/console.css")).raw(">")
                .raw("<script defer").attr("src", context.url("/assets/console.js")).raw("></script>")
                .raw("</head><body><header><a class=\"brand\"").attr("href", context.url("/")).raw(">Sagaflow</a>")
                .raw("<nav><a").attr("href", context.url("/")).raw(">Overview</a><a")
                .attr("href", context.url("/sagas")).raw(">Sagas</a></nav>");
        if (context.user() != null) {
            page.raw("<span class=\"user\">").text(context.user().name()).raw(" · ")
                    .text(context.user().role() == dev.sagaflow.console.ConsoleRole.OPERATOR ? "operator" : "read-only")
                    .raw("</span>");
        }
        page.raw("</header><main>").raw(main).raw("</main></body></html>\n");
        return page.toString();
    }

    /** The overview: the filter form, counts by saga and status, and the instances that need attention. */
    public static String overview(Context context, Counts counts, List<SagaInfo> running, List<SagaInfo> failed,
            List<SagaInfo> waiting, Duration threshold) {
        Html main = new Html();
        main.raw("<h1>Overview</h1>");
        filterForm(main, context, ListFilter.none(), counts.byName().keySet());
        main.raw("<section><h2>Instances by saga and status</h2>");
        countsTable(main, context, counts);
        main.raw("</section>");
        section(main, context, "oldest-running", "Oldest RUNNING", running,
                "No saga is running.", "status=RUNNING");
        section(main, context, "failed", "FAILED: waiting for an operator", failed,
                "No saga has failed.", "status=FAILED");
        section(main, context, "awaiting-reply", "Waiting for a reply for more than " + Format.duration(threshold),
                waiting, "No saga has waited that long for a reply.", null);
        return layout(context, "Overview", main.toString());
    }

    /** The list: the filter form, one page of instances, and the link to the next page. */
    public static String list(Context context, ListFilter filter, Page page, Iterable<String> names) {
        Html main = new Html();
        main.raw("<h1>Sagas</h1>");
        filterForm(main, context, filter, names);
        if (!filter.problems().isEmpty()) {
            main.raw("<p class=\"notice warn\">Ignored filters that could not be read: ")
                    .text(String.join(", ", filter.problems())).raw(".</p>");
        }
        if (filter.id() != null && page.items().isEmpty()) {
            main.raw("<p class=\"notice\">No saga instance has the id <code>").text(filter.id()).raw("</code>.</p>");
        }
        sagaTable(main, context, page.items(), "No saga matches these filters.", "results");
        main.raw("<nav class=\"pages\">");
        if (filter.after() != null) {
            main.link(context.url("/sagas" + query(filter.startingAfter(null))), "« First page");
        }
        if (page.next() != null) {
            main.raw(" <a rel=\"next\" class=\"next\"")
                    .attr("href", context.url("/sagas" + query(filter.startingAfter(page.next()))))
                    .raw(">Next page »</a>");
        }
        main.raw("</nav>");
        return layout(context, "Sagas", main.toString());
    }

    /** A page that only says something: a refusal, an unknown page, an error. */
    public static String message(Context context, String title, String text) {
        Html main = new Html();
        main.raw("<h1>").text(title).raw("</h1><p>").text(text).raw("</p><p>")
                .link(context.url("/"), "Back to the overview").raw("</p>");
        return layout(context, title, main.toString());
    }

    static String query(ListFilter filter) {
        String query = filter.queryString();
        return query.isEmpty() ? "" : "?" + query;
    }

    private static void filterForm(Html main, Context context, ListFilter filter, Iterable<String> names) {
        main.raw("<form class=\"filters\" method=\"get\"").attr("action", context.url("/sagas")).raw(">");
        main.raw("<label>Saga <input name=\"name\" list=\"saga-names\" size=\"18\"")
                .attr("value", filter.name() == null ? "" : filter.name()).raw("></label>");
        main.raw("<datalist id=\"saga-names\">");
        for (String name : names) {
            main.raw("<option").attr("value", name).raw(">");
        }
        main.raw("</datalist>");
        main.raw("<label>Status <select name=\"status\"><option value=\"\">any</option>");
        for (SagaStatus status : SagaStatus.values()) {
            main.raw("<option").attr("value", status.name()).raw(status == filter.status() ? " selected>" : ">")
                    .text(status.name()).raw("</option>");
        }
        main.raw("</select></label>");
        durationSelect(main, "age", "Started more than", filter.age());
        durationSelect(main, "idle", "No progress for", filter.idle());
        main.raw("<label>Idempotency key <input name=\"key\" size=\"14\"")
                .attr("value", filter.idempotencyKey() == null ? "" : filter.idempotencyKey()).raw("></label>");
        main.raw("<label>Id <input name=\"id\" size=\"14\"").attr("value", filter.id() == null ? "" : filter.id())
                .raw("></label>");
        main.raw("<button type=\"submit\">Search</button>");
        if (!filter.isEmpty()) {
            main.raw(" ").link(context.url("/sagas"), "Clear");
        }
        main.raw("</form>");
    }

    private static void durationSelect(Html main, String name, String label, Duration selected) {
        main.raw("<label>").text(label).raw(" <select").attr("name", name).raw("><option value=\"\">any time</option>");
        for (Map.Entry<String, Duration> option : ListFilter.DURATIONS.entrySet()) {
            main.raw("<option").attr("value", option.getKey())
                    .raw(option.getValue().equals(selected) ? " selected>" : ">")
                    .text(Format.duration(option.getValue()) + (name.equals("age") ? " ago" : "")).raw("</option>");
        }
        main.raw("</select></label>");
    }

    private static void countsTable(Html main, Context context, Counts counts) {
        if (counts.byName().isEmpty()) {
            main.raw("<p class=\"empty\">No saga instance is stored yet.</p>");
            return;
        }
        main.raw("<table class=\"counts\"><thead><tr><th>Saga</th>");
        for (SagaStatus status : SagaStatus.values()) {
            main.raw("<th class=\"num\">").text(status.name()).raw("</th>");
        }
        main.raw("</tr></thead><tbody>");
        for (Map.Entry<String, Map<SagaStatus, Long>> row : counts.byName().entrySet()) {
            main.raw("<tr><th>").link(context.url("/sagas?name=" + Params.encode(row.getKey())), row.getKey())
                    .raw("</th>");
            for (SagaStatus status : SagaStatus.values()) {
                long count = row.getValue().getOrDefault(status, 0L);
                main.raw("<td class=\"num\">");
                if (count > 0) {
                    main.link(context.url("/sagas?name=" + Params.encode(row.getKey()) + "&status=" + status.name()),
                            String.format(Locale.ROOT, "%,d", count));
                } else {
                    main.raw("<span class=\"zero\">0</span>");
                }
                main.raw("</td>");
            }
            main.raw("</tr>");
        }
        main.raw("</tbody><tfoot><tr><th>all</th>");
        for (SagaStatus status : SagaStatus.values()) {
            main.raw("<td class=\"num\">").text(String.format(Locale.ROOT, "%,d", counts.total(status))).raw("</td>");
        }
        main.raw("</tr></tfoot></table>");
    }

    private static void section(Html main, Context context, String id, String title, List<SagaInfo> sagas,
            String empty, String moreQuery) {
        main.raw("<section").attr("id", id).raw("><h2>").text(title).raw("</h2>");
        sagaTable(main, context, sagas, empty, null);
        if (moreQuery != null && sagas.size() >= OVERVIEW_ROWS) {
            main.raw("<p>").link(context.url("/sagas?" + moreQuery), "All of them »").raw("</p>");
        }
        main.raw("</section>");
    }

    /** A table of instances: id, saga, status, current step, started, last written, error. */
    static void sagaTable(Html main, Context context, List<SagaInfo> sagas, String empty, String id) {
        if (sagas.isEmpty()) {
            main.raw("<p class=\"empty\">").text(empty).raw("</p>");
            return;
        }
        main.raw("<table class=\"sagas\"");
        if (id != null) {
            main.attr("id", id);
        }
        main.raw("><thead><tr><th>Instance</th><th>Saga</th><th>Status</th><th>Current step</th><th>Started</th>")
                .raw("<th>Last written</th><th>Error</th></tr></thead><tbody>");
        for (SagaInfo saga : sagas) {
            main.raw("<tr><td class=\"id\">").link(context.sagaUrl(saga.sagaId()), shortId(saga.sagaId()))
                    .raw("</td><td>").text(saga.sagaName()).raw(" <span class=\"version\">v").text(saga.sagaVersion())
                    .raw("</span></td><td>");
            badge(main, saga.status());
            main.raw("</td><td>");
            StepState current = currentStep(saga);
            if (current != null) {
                main.text(current.name()).raw(" <span class=\"step-status\">").text(current.status()).raw("</span>");
            }
            main.raw("</td><td>").raw("<time").attr("datetime", saga.createdAt()).attr("title", Format.time(saga.createdAt()))
                    .raw(">").text(Format.ago(saga.createdAt(), context.now())).raw("</time></td><td>")
                    .raw("<time").attr("datetime", saga.updatedAt()).attr("title", Format.time(saga.updatedAt())).raw(">")
                    .text(Format.ago(saga.updatedAt(), context.now())).raw("</time></td><td class=\"error\">")
                    .text(preview(saga.error())).raw("</td></tr>");
        }
        main.raw("</tbody></table>");
    }

    /** A status shown as a coloured badge. */
    static void badge(Html html, SagaStatus status) {
        html.raw("<span class=\"badge ").raw(status.name().toLowerCase(Locale.ROOT)).raw("\">").text(status.name())
                .raw("</span>");
    }

    /**
     * The step the saga is at: while it rolls back (or is stuck rolling back), the step being compensated;
     * otherwise the first step running, waiting for a reply, or failed; {@code null} when there is none.
     */
    static StepState currentStep(SagaInfo saga) {
        boolean rollingBack = saga.status() == SagaStatus.COMPENSATING || saga.status() == SagaStatus.FAILED;
        StepState found = null;
        for (StepState step : saga.steps()) {
            switch (step.status()) {
                case COMPENSATING -> {
                    if (rollingBack) {
                        return step;
                    }
                }
                case RUNNING, AWAITING_REPLY, FAILED -> found = found == null ? step : found;
                default -> {
                }
            }
        }
        return found;
    }

    /** The first characters of an id that tell instances apart in a table (UUIDs: the first group). */
    static String shortId(String id) {
        int dash = id.indexOf('-');
        return dash >= 8 && dash <= 12 ? id.substring(0, dash) : id.length() > 13 ? id.substring(0, 12) + "…" : id;
    }

    private static String preview(String error) {
        if (error == null) {
            return null;
        }
        return error.length() > ERROR_PREVIEW ? error.substring(0, ERROR_PREVIEW - 1) + "…" : error;
    }
}
