package dev.sagaflow.console.internal;

import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.console.internal.Pages.Context;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * One saga's page: its status and error, the operator's actions, the timeline, the steps, the (masked)
 * data and the history; and the confirmation forms of retry and abort, shown in a dialog by the page's
 * script or on a page of their own without it. Stateless.
 */
public final class SagaPage {
    /** The longest abort reason accepted. */
    public static final int MAX_REASON = 500;

    private SagaPage() {
    }

    /** The action an operator may take, and its words. */
    public enum Action {
        // Until the core records an actor on retry (see SagaQueries), only the log knows who retried.
        RETRY("retry", "Retry", "Retry this saga?",
                "Its stuck compensation, or its stuck step after the pivot, runs again with a fresh retry budget.",
                "Its history records the retry, and the host's log records that {user} did it."),
        ABORT("abort", "Abort", "Abort this saga?",
                "The current step is given up and every step that took effect, or may have, is compensated, newest"
                        + " first. Only a saga that has not passed its pivot can be aborted.",
                "Its history records the abort, with your reason and your name, {user}.");

        private final String path;
        private final String verb;
        private final String question;
        private final String consequence;
        private final String record;

        Action(String path, String verb, String question, String consequence, String record) {
            this.path = path;
            this.verb = verb;
            this.question = question;
            this.consequence = consequence;
            this.record = record;
        }

        /** The last path segment of the action's URL. */
        public String path() {
            return path;
        }

        /** Whether a saga in {@code status} can take this action. */
        public boolean appliesTo(SagaStatus status) {
            return this == RETRY ? status == SagaStatus.FAILED : status == SagaStatus.RUNNING;
        }

        /** The action whose URL segment is {@code segment}, or {@code null}. */
        public static Action ofPath(String segment) {
            for (Action action : values()) {
                if (action.path.equals(segment)) {
                    return action;
                }
            }
            return null;
        }
    }

    /**
     * What the page shows of the data.
     *
     * @param json the masked data, pretty-printed, or {@code null} when hidden
     * @param hiddenBecause why it is hidden, or {@code null}
     */
    public record ShownData(String json, String hiddenBecause) {
    }

    /**
     * The page of {@code saga}.
     *
     * @param csrfToken the token for the action forms, or {@code null} when the user may not act
     * @param notice a message above everything (what was just done, or why it failed), or {@code null}
     * @param noticeIsError whether the notice reports a failure
     */
    public static String render(Context context, SagaInfo saga, ShownData data, String csrfToken, String notice,
            boolean noticeIsError) {
        Html main = new Html();
        main.raw("<h1>").text(saga.sagaName()).raw(" <span class=\"version\">v").text(saga.sagaVersion())
                .raw("</span> ");
        Pages.badge(main, saga.status());
        main.raw("</h1>");
        if (notice != null) {
            main.raw("<p class=\"notice").raw(noticeIsError ? " warn" : " ok").raw("\" role=\"status\">").text(notice)
                    .raw("</p>");
        }
        main.raw("<dl class=\"facts\"><dt>Instance</dt><dd><code id=\"saga-id\">").text(saga.sagaId())
                .raw("</code></dd><dt>Started</dt><dd>").text(Format.time(saga.createdAt())).raw(" (")
                .text(Format.ago(saga.createdAt(), context.now())).raw(")</dd><dt>Last written</dt><dd>")
                .text(Format.time(saga.updatedAt())).raw(" (").text(Format.ago(saga.updatedAt(), context.now()))
                .raw(")</dd><dt>Owner</dt><dd>").text(saga.owner() == null ? "none" : saga.owner()).raw("</dd></dl>");
        if (saga.error() != null) {
            main.raw("<h2>Error</h2><pre class=\"error\" id=\"saga-error\">").text(saga.error()).raw("</pre>");
        }
        actions(main, context, saga, csrfToken);

        main.raw("<section id=\"timeline\"><h2>Timeline</h2>");
        if (saga.history().isEmpty()) {
            main.raw("<p class=\"empty\">No history is recorded for this instance.</p>");
        } else {
            main.raw("<div class=\"timeline-frame\">").raw(TimelineSvg.render(Timeline.of(saga, context.now())))
                    .raw("</div>");
            main.raw("<p class=\"legend\"><span class=\"key action\"></span>action <span class=\"key wait\"></span>")
                    .raw("waiting for a reply <span class=\"key compensation\"></span>compensation ")
                    .raw("<span class=\"key failed\"></span>failed (a failed wait: red outline) · ◆ retry scheduled · ✕ failure · ▲ operator or")
                    .raw(" deadline · ● other events. Hover over a bar or mark for its details.</p>");
        }
        main.raw("</section>");

        steps(main, saga.steps());
        main.raw("<section id=\"data\"><h2>Data</h2>");
        if (data.json() != null) {
            main.raw("<pre class=\"json\">").text(data.json()).raw("</pre>");
        } else {
            main.raw("<p class=\"notice\">").text(data.hiddenBecause()).raw("</p>");
        }
        main.raw("</section>");
        history(main, saga);
        return Pages.layout(context, saga.sagaName() + " " + Pages.shortId(saga.sagaId()), main.toString());
    }

    /** The page that asks to confirm {@code action} on {@code saga}, for browsers without the page's script. */
    public static String confirmPage(Context context, SagaInfo saga, Action action, String csrfToken) {
        Html main = new Html();
        confirmForm(main, context, saga, action, csrfToken);
        return Pages.layout(context, action.verb + " " + Pages.shortId(saga.sagaId()), main.toString());
    }

    private static void actions(Html main, Context context, SagaInfo saga, String csrfToken) {
        List<Action> possible = java.util.Arrays.stream(Action.values()).filter(a -> a.appliesTo(saga.status())).toList();
        if (possible.isEmpty()) {
            return;
        }
        main.raw("<section id=\"actions\"><h2>Actions</h2>");
        if (csrfToken == null) {
            main.raw("<p class=\"empty\">You have read-only access; an operator can ")
                    .text(possible.get(0).verb.toLowerCase(java.util.Locale.ROOT)).raw(" this saga.</p></section>");
            return;
        }
        for (Action action : possible) {
            String dialogId = action.path + "-dialog";
            main.raw("<a class=\"button danger\"").attr("id", action.path + "-button")
                    .attr("href", context.sagaUrl(saga.sagaId()) + "/" + action.path).attr("data-dialog", dialogId)
                    .raw(">").text(action.verb + "…").raw("</a> ");
            main.raw("<dialog").attr("id", dialogId).raw(">");
            confirmForm(main, context, saga, action, csrfToken);
            main.raw("</dialog>");
        }
        main.raw("</section>");
    }

    private static void confirmForm(Html main, Context context, SagaInfo saga, Action action, String csrfToken) {
        main.raw("<form method=\"post\" class=\"confirm\"")
                .attr("action", context.sagaUrl(saga.sagaId()) + "/" + action.path).raw(">")
                .raw("<h2>").text(action.question).raw("</h2><p>").text(saga.sagaName()).raw(" <code>")
                .text(saga.sagaId()).raw("</code>, ").text(saga.status().name()).raw("</p><p>").text(action.consequence)
                .raw(" ").text(action.record.replace("{user}", context.user().name())).raw("</p>")
                .raw("<input type=\"hidden\" name=\"csrf\"").attr("value", csrfToken).raw(">");
        if (action == Action.ABORT) {
            main.raw("<label>Reason <textarea name=\"reason\" required rows=\"3\" cols=\"50\"")
                    .attr("maxlength", MAX_REASON).raw("></textarea></label>");
        }
        main.raw("<p class=\"buttons\"><button type=\"submit\" class=\"danger\">").text(action.verb + " saga")
                .raw("</button> <a class=\"button cancel\" data-close")
                .attr("href", context.sagaUrl(saga.sagaId())).raw(">Cancel</a></p></form>");
    }

    private static void steps(Html main, List<StepState> steps) {
        main.raw("<section id=\"steps\"><h2>Steps</h2><table class=\"steps\"><thead><tr><th>#</th><th>Step</th>")
                .raw("<th>Status</th><th class=\"num\">Attempts</th><th class=\"num\">Compensation attempts</th>")
                .raw("<th>Started</th><th>Ended</th><th>Next attempt / reply due</th><th>Last error</th></tr></thead><tbody>");
        int i = 1;
        for (StepState step : steps) {
            main.raw("<tr><td class=\"num\">").text(i++).raw("</td><td>").text(step.name()).raw("</td><td>")
                    .raw("<span class=\"step-status ").raw(step.status().name().toLowerCase(java.util.Locale.ROOT))
                    .raw("\">").text(step.status()).raw("</span>")
                    .text(step.mayHaveTakenEffect() ? " (may have taken effect)" : "").raw("</td><td class=\"num\">")
                    .text(step.attempts()).raw("</td><td class=\"num\">").text(step.compensationAttempts())
                    .raw("</td><td>").text(Format.time(step.startedAt())).raw("</td><td>").text(Format.time(step.endedAt()))
                    .raw("</td><td>").text(Format.time(step.wakeAt())).raw("</td><td class=\"error\">").text(step.error())
                    .raw("</td></tr>");
        }
        main.raw("</tbody></table></section>");
    }

    private static void history(Html main, SagaInfo saga) {
        main.raw("<section id=\"history\"><h2>History</h2>");
        if (saga.history().isEmpty()) {
            main.raw("<p class=\"empty\">No history is recorded for this instance.</p></section>");
            return;
        }
        main.raw("<table class=\"history\"><thead><tr><th>Time</th><th class=\"num\">After</th><th>Event</th>")
                .raw("<th>Step</th><th class=\"num\">Attempt</th><th>Detail</th></tr></thead><tbody>");
        List<HistoryEntry> entries = saga.history().stream().sorted(Comparator.comparing(HistoryEntry::at)).toList();
        for (HistoryEntry entry : entries) {
            main.raw("<tr class=\"").raw(entry.type().name().toLowerCase(java.util.Locale.ROOT)).raw("\"><td>")
                    .text(Format.time(entry.at())).raw("</td><td class=\"num\">+")
                    .text(Format.duration(Duration.between(saga.createdAt(), entry.at()))).raw("</td><td>")
                    .text(entry.type()).raw("</td><td>").text(entry.step()).raw("</td><td class=\"num\">")
                    .text(entry.attempt() > 0 ? entry.attempt() : null).raw("</td><td class=\"detail\">")
                    .text(entry.detail()).raw("</td></tr>");
        }
        main.raw("</tbody></table></section>");
    }
}
