package dev.sagaflow.console.internal;

import dev.sagaflow.console.internal.Timeline.Bar;
import dev.sagaflow.console.internal.Timeline.Lane;
import dev.sagaflow.console.internal.Timeline.Mark;
import dev.sagaflow.store.HistoryEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link Timeline} as inline SVG: a time axis with ticks, a lane per step with its bars and
 * marks, each with a {@code <title>} (the tooltip: what, when, the attempt and the error text). Colours
 * and shapes come from classes styled by the console's style sheet, since the Content-Security-Policy
 * allows no inline style. Every text from the store is escaped. Stateless.
 */
public final class TimelineSvg {
    static final int WIDTH = 1000;
    static final int LABEL_WIDTH = 190;
    static final int RIGHT_MARGIN = 34;
    static final int AXIS_HEIGHT = 30;
    static final int LANE_HEIGHT = 28;
    static final int BAR_HEIGHT = 12;
    static final double MIN_BAR_WIDTH = 3;
    private static final int MAX_LABEL = 26;
    private static final long[] TICK_STEPS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000,
        15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000,
        21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000, 2_592_000_000L};
    private static final int MAX_TICKS = 8;

    private TimelineSvg() {
    }

    /** The SVG element for {@code timeline}. */
    public static String render(Timeline timeline) {
        List<Lane> lanes = timeline.lanes();
        int height = AXIS_HEIGHT + lanes.size() * LANE_HEIGHT + 8;
        long spanMs = Math.max(1, Duration.between(timeline.start(), timeline.end()).toMillis());
        Html svg = new Html();
        svg.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" role=\"img\"")
                .attr("viewBox", "0 0 " + WIDTH + " " + height).attr("width", WIDTH).attr("height", height)
                .attr("aria-label", "Timeline of the saga's steps over " + Format.duration(Duration.ofMillis(spanMs)))
                .raw(">");
        axis(svg, spanMs, height);
        for (int i = 0; i < lanes.size(); i++) {
            lane(svg, timeline, lanes.get(i), AXIS_HEIGHT + i * LANE_HEIGHT, spanMs);
        }
        svg.raw("</svg>");
        return svg.toString();
    }

    /** The x coordinate of {@code at}. */
    static double x(Timeline timeline, Instant at, long spanMs) {
        double plot = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;
        double offset = Duration.between(timeline.start(), at).toNanos() / 1e6;
        return LABEL_WIDTH + Math.max(0, Math.min(1, offset / spanMs)) * plot;
    }

    /** The tick interval in milliseconds for a span: the smallest nice step giving at most {@value #MAX_TICKS} ticks. */
    static long tickStep(long spanMs) {
        for (long step : TICK_STEPS_MS) {
            if (spanMs / step <= MAX_TICKS) {
                return step;
            }
        }
        return TICK_STEPS_MS[TICK_STEPS_MS.length - 1] * Math.max(1, spanMs / TICK_STEPS_MS[TICK_STEPS_MS.length - 1] / MAX_TICKS + 1);
    }

    private static void axis(Html svg, long spanMs, int height) {
        double plot = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;
        long step = tickStep(spanMs);
        svg.raw("<g class=\"axis\">");
        svg.raw("<line").attr("x1", LABEL_WIDTH).attr("x2", WIDTH - RIGHT_MARGIN).attr("y1", AXIS_HEIGHT - 6)
                .attr("y2", AXIS_HEIGHT - 6).raw("/>");
        for (long t = 0; t <= spanMs; t += step) {
            String x = num(LABEL_WIDTH + plot * t / spanMs);
            svg.raw("<line class=\"tick\"").attr("x1", x).attr("x2", x).attr("y1", AXIS_HEIGHT - 6)
                    .attr("y2", height - 4).raw("/>");
            svg.raw("<text").attr("x", x).attr("y", AXIS_HEIGHT - 11).raw(" text-anchor=\"middle\">")
                    .text("+" + Format.duration(Duration.ofMillis(t))).raw("</text>");
        }
        svg.raw("</g>");
    }

    private static void lane(Html svg, Timeline timeline, Lane lane, int top, long spanMs) {
        int middle = top + LANE_HEIGHT / 2;
        String label = lane.label() == null ? "saga" : lane.label();
        svg.raw("<g class=\"lane").raw(lane.label() == null ? " saga" : "").raw("\">");
        svg.raw("<line class=\"guide\"").attr("x1", LABEL_WIDTH).attr("x2", WIDTH - RIGHT_MARGIN).attr("y1", middle)
                .attr("y2", middle).raw("/>");
        svg.raw("<text class=\"label\"").attr("x", LABEL_WIDTH - 8).attr("y", middle + 4).raw(" text-anchor=\"end\">")
                .raw("<title>").text(lane.status() == null ? label : label + " (" + lane.status() + ")").raw("</title>")
                .text(label.length() > MAX_LABEL ? label.substring(0, MAX_LABEL - 1) + "…" : label).raw("</text>");
        for (Bar bar : lane.bars()) {
            double from = x(timeline, bar.from(), spanMs);
            double width = Math.max(MIN_BAR_WIDTH, x(timeline, bar.to(), spanMs) - from);
            svg.raw("<rect class=\"bar ").raw(bar.kind().name().toLowerCase(Locale.ROOT))
                    .raw(bar.failed() ? " failed" : "").raw(bar.open() ? " open" : "").raw("\"")
                    .attr("x", num(from)).attr("y", middle - BAR_HEIGHT / 2).attr("width", num(width))
                    .attr("height", BAR_HEIGHT).raw(" rx=\"2\"><title>").text(barTitle(timeline, lane, bar))
                    .raw("</title></rect>");
        }
        for (Mark mark : lane.marks()) {
            mark(svg, mark, x(timeline, mark.entry().at(), spanMs), middle, timeline.start());
        }
        svg.raw("</g>");
    }

    private static void mark(Html svg, Mark mark, double x, int y, Instant start) {
        String cls = "mark " + mark.kind().name().toLowerCase(Locale.ROOT);
        String cx = num(x);
        switch (mark.kind()) {
            case RETRY -> svg.raw("<path").attr("class", cls)
                    .attr("d", "M" + cx + " " + (y - 6) + " l6 6 l-6 6 l-6 -6 z");
            case FAILURE -> svg.raw("<path").attr("class", cls)
                    .attr("d", "M" + num(x - 5) + " " + (y - 5) + " l10 10 m0 -10 l-10 10");
            case OPERATOR -> svg.raw("<path").attr("class", cls)
                    .attr("d", "M" + cx + " " + (y - 7) + " l6 11 l-12 0 z");
            default -> svg.raw("<circle").attr("class", cls).attr("cx", cx).attr("cy", y).attr("r", 4);
        }
        svg.raw("><title>").text(markTitle(mark.entry(), start)).raw("</title>");
        svg.raw(switch (mark.kind()) {
            case RETRY, FAILURE, OPERATOR -> "</path>";
            default -> "</circle>";
        });
    }

    private static String barTitle(Timeline timeline, Lane lane, Bar bar) {
        String what = switch (bar.kind()) {
            case ACTION -> "action";
            case WAIT -> "waiting for the reply";
            case COMPENSATION -> "compensation";
        };
        return lane.label() + ": " + what + (bar.failed() ? ", failed" : "") + ", +"
                + Format.duration(Duration.between(timeline.start(), bar.from())) + " for "
                + Format.duration(Duration.between(bar.from(), bar.to())) + (bar.open() ? " so far" : "");
    }

    /** A mark's tooltip: the entry's type, time, step, attempt and detail (the error text). */
    static String markTitle(HistoryEntry entry, Instant start) {
        StringBuilder title = new StringBuilder(entry.type().name()).append(" at +")
                .append(Format.duration(Duration.between(start, entry.at())));
        if (entry.step() != null) {
            title.append(", step ").append(entry.step());
        }
        if (entry.attempt() > 0) {
            title.append(", attempt ").append(entry.attempt());
        }
        if (entry.detail() != null) {
            title.append(": ").append(entry.detail());
        }
        return title.toString();
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
