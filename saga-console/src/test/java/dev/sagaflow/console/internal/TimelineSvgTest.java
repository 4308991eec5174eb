package dev.sagaflow.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.StepState;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TimelineSvgTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String STEP = "<b onmouseover=\"x()\">step</b>";
    private static final String ERROR = "boom </title><script>alert(1)</script>";

    private final SagaInfo saga = new SagaInfo("id-1", "s", 1, SagaStatus.COMPENSATED, null, "{}",
            List.of(new StepState(STEP, StepStatus.FAILED, 2, 0, false, T0, T0.plusMillis(300), null, ERROR)),
            List.of(new HistoryEntry("id-1", T0, SagaEventType.SAGA_STARTED, null, 0, null),
                    new HistoryEntry("id-1", T0.plusMillis(100), SagaEventType.STEP_RETRY_SCHEDULED, STEP, 1, ERROR),
                    new HistoryEntry("id-1", T0.plusMillis(300), SagaEventType.STEP_FAILED, STEP, 2, ERROR),
                    new HistoryEntry("id-1", T0.plusMillis(300), SagaEventType.SAGA_COMPENSATED, null, 0, null)),
            T0, T0.plusMillis(300), null, ERROR);

    @Test
    void step_names_and_error_texts_are_escaped_in_labels_and_tooltips() {
        String svg = TimelineSvg.render(Timeline.of(saga, T0.plusSeconds(5)));

        assertThat(svg).doesNotContain("<script>").doesNotContain("<b ").doesNotContain("</title><script>");
        assertThat(svg).contains("&lt;b onmouseover=&quot;x()&quot;&gt;step&lt;/b&gt;");
        assertThat(svg).contains("STEP_RETRY_SCHEDULED at +100 ms, step &lt;b onmouseover=&quot;x()&quot;&gt;step&lt;/b&gt;,"
                + " attempt 1: boom &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    @Test
    void a_failed_action_is_a_bar_from_the_step_start_to_its_failure_with_a_retry_and_a_failure_mark() {
        String svg = TimelineSvg.render(Timeline.of(saga, T0.plusSeconds(5)));

        Matcher bar = Pattern.compile("<rect class=\"bar action failed\" x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"")
                .matcher(svg);
        assertThat(bar.find()).as(svg).isTrue();
        assertThat(Double.parseDouble(bar.group(1))).isEqualTo(TimelineSvg.LABEL_WIDTH);
        double plot = TimelineSvg.WIDTH - TimelineSvg.LABEL_WIDTH - TimelineSvg.RIGHT_MARGIN;
        assertThat(Double.parseDouble(bar.group(2))).isEqualTo(plot, org.assertj.core.data.Offset.offset(0.1));
        assertThat(svg).contains("class=\"mark retry\"").contains("class=\"mark failure\"").contains("class=\"mark start\"");
    }

    @Test
    void the_axis_is_labelled_with_offsets_from_the_start() {
        String svg = TimelineSvg.render(Timeline.of(saga, T0.plusSeconds(5)));

        assertThat(svg).contains(">+0 ms</text>").contains(">+100 ms</text>").contains(">+300 ms</text>");
    }

    @Test
    void the_svg_uses_no_inline_style_which_the_content_security_policy_would_block() {
        String svg = TimelineSvg.render(Timeline.of(saga, T0.plusSeconds(5)));

        assertThat(svg).doesNotContain("style=").doesNotContain("<style");
    }
}
