package dev.sagaflow.examples.support;

import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaListener;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prints a readable timeline: every saga transition (as a {@link SagaListener}), every message sent
 * over a {@link MessageChannel}, and notes from the services. Each saga's lines show the time since
 * the first event this timeline saw of it. Thread-safe; lines are never interleaved. Never throws
 * into the saga: printing is all it does.
 */
public final class Timeline implements SagaListener {
    private final PrintStream out;
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

    private Timeline(PrintStream out) {
        this.out = out;
    }

    /** A timeline that prints to {@code out}. */
    public static Timeline to(PrintStream out) {
        return new Timeline(out);
    }

    /** A timeline that prints nothing (for tests that only assert outcomes). */
    public static Timeline silent() {
        return new Timeline(new PrintStream(OutputStream.nullOutputStream()));
    }

    /** Prints a heading that opens a scenario. */
    public synchronized void heading(String title) {
        out.println();
        out.println("=== " + title + " ===");
    }

    /** Prints what {@code who} (a service, the demo) did or saw. */
    public synchronized void note(String who, String text) {
        out.printf("  %-22s %s%n", who, text);
    }

    /** Prints a line as it is, indented. */
    public synchronized void line(String text) {
        out.println("  " + text);
    }

    /** Prints a message put on a channel. */
    public void message(String channel, String type, String json) {
        note("~> " + channel, type + " " + json);
    }

    @Override
    public void onEvent(SagaEvent event) {
        Instant first = firstSeen.computeIfAbsent(event.sagaId(), id -> event.at());
        long millis = Duration.between(first, event.at()).toMillis();
        String saga = event.sagaName() + " " + shortId(event.sagaId());
        note(saga, String.format("%+5d ms  %s", millis, describe(event)));
    }

    /** The first eight characters of an id: enough to tell the sagas of one run apart. */
    public static String shortId(String id) {
        return id.length() <= 8 ? id : id.substring(0, 8);
    }

    private static String describe(SagaEvent event) {
        String step = event.step();
        String detail = event.detail() == null ? "" : ": " + event.detail();
        return switch (event.type()) {
            case SAGA_STARTED -> "STARTED";
            case STEP_SUCCEEDED -> step + " succeeded" + (event.attempt() > 1 ? " (attempt " + event.attempt() + ")" : "");
            case STEP_AWAITING_REPLY -> step + " sent its command, waiting for the reply";
            case STEP_RETRY_SCHEDULED -> step + " attempt " + event.attempt() + " failed, retry scheduled" + detail;
            case STEP_FAILED -> step + " FAILED" + detail;
            case STEP_RESUMED -> step + " resumed from the store (attempt " + event.attempt() + ")" + detail;
            case STEP_PROBED -> step + " probed" + detail;
            case COMPENSATION_SUCCEEDED -> step + " compensated";
            case COMPENSATION_RETRY_SCHEDULED -> step + " compensation attempt " + event.attempt() + " failed, retry scheduled"
                    + detail;
            case COMPENSATION_GAVE_UP -> step + " compensation GAVE UP" + detail;
            case SAGA_ABORTED -> "ABORTED" + detail;
            case SAGA_RETRIED -> "retried by an operator";
            case SAGA_REOPENED -> "REOPENED to be compensated" + detail;
            case SAGA_COMPLETED -> "COMPLETED";
            case SAGA_COMPENSATED -> "COMPENSATED";
            case SAGA_FAILED -> "FAILED" + detail;
            case REPLY_REJECTED -> "reply for " + step + " not applied" + detail;
            case INSTANCE_NOT_RESUMABLE -> "cannot be resumed here" + detail;
        };
    }
}
