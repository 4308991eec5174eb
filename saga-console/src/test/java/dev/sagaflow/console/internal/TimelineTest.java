package dev.sagaflow.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaInfo;
import dev.sagaflow.console.internal.Timeline.Bar;
import dev.sagaflow.console.internal.Timeline.BarKind;
import dev.sagaflow.console.internal.Timeline.Lane;
import dev.sagaflow.console.internal.Timeline.MarkKind;
import dev.sagaflow.console.support.ShopSagas;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TimelineTest {
    private static final Instant END = Instant.parse("2026-12-01T12:00:00Z");
    private static ShopSagas shop;

    @BeforeAll
    static void runTheShop() {
        shop = ShopSagas.populate(InMemorySagaStore.create(), END.minus(Duration.ofHours(3)), END);
    }

    @AfterAll
    static void closeTheShop() {
        shop.close();
    }

    @Test
    void the_saga_lane_comes_first_then_one_lane_per_step_in_definition_order() {
        Timeline timeline = timeline("completed", END);

        assertThat(timeline.lanes()).extracting(Lane::label)
                .containsExactly(null, "create-order", "reserve-credit", "charge-card", "approve-order", "send-mail");
        assertThat(timeline.lanes().get(0).marks()).extracting(m -> m.kind())
                .containsExactly(MarkKind.START, MarkKind.SUCCESS);
    }

    @Test
    void a_step_retried_after_the_pivot_has_one_action_bar_with_a_mark_per_failed_attempt() {
        Lane mail = lane(timeline("completed-after-retries", END), "send-mail");

        assertThat(mail.bars()).hasSize(1);
        assertThat(mail.bars().get(0).kind()).isEqualTo(BarKind.ACTION);
        assertThat(Duration.between(mail.bars().get(0).from(), mail.bars().get(0).to())).isEqualTo(Duration.ofSeconds(4));
        assertThat(mail.marks()).extracting(m -> m.kind())
                .containsExactly(MarkKind.RETRY, MarkKind.RETRY, MarkKind.SUCCESS);
        assertThat(mail.marks().get(0).entry().detail()).contains("mail server refused the connection (call 1)");
    }

    @Test
    void an_awaiting_step_shows_its_wait_for_the_reply_and_a_compensation_that_gave_up_shows_as_failed() {
        Lane credit = lane(timeline("failed", END), "reserve-credit");

        assertThat(credit.bars()).extracting(Bar::kind)
                .containsExactly(BarKind.ACTION, BarKind.WAIT, BarKind.COMPENSATION);
        Bar compensation = credit.bars().get(2);
        assertThat(compensation.failed()).isTrue();
        assertThat(compensation.open()).isFalse();
        assertThat(Duration.between(compensation.from(), compensation.to())).isEqualTo(Duration.ofSeconds(1));
        assertThat(credit.marks()).extracting(m -> m.kind()).containsExactly(MarkKind.SUCCESS, MarkKind.RETRY,
                MarkKind.FAILURE);
    }

    @Test
    void a_wait_that_goes_on_reaches_the_right_end_of_the_axis_at_now_and_is_marked_open() {
        Instant now = END.plus(Duration.ofMinutes(7));
        Timeline timeline = timeline("awaiting", now);

        Bar wait = lane(timeline, "reserve-credit").bars().get(1);
        assertThat(wait.kind()).isEqualTo(BarKind.WAIT);
        assertThat(wait.open()).isTrue();
        assertThat(wait.to()).isEqualTo(now);
        assertThat(timeline.end()).isEqualTo(now);
    }

    @Test
    void a_compensation_waiting_for_its_next_attempt_is_an_open_bar_that_starts_when_the_step_after_it_failed() {
        Timeline timeline = timeline("compensating", END);

        Lane capture = lane(timeline, "capture");
        Lane authorize = lane(timeline, "authorize");
        Bar compensation = authorize.bars().get(authorize.bars().size() - 1);
        assertThat(compensation.kind()).isEqualTo(BarKind.COMPENSATION);
        assertThat(compensation.open()).isTrue();
        assertThat(compensation.from()).isEqualTo(capture.marks().get(0).entry().at());
    }

    @Test
    void a_finished_saga_ends_the_axis_at_its_last_entry_not_at_now() {
        SagaInfo saga = shop.orchestrator().find(shop.id("completed")).orElseThrow();

        Timeline timeline = Timeline.of(saga, END.plus(Duration.ofDays(3)));

        assertThat(timeline.end()).isEqualTo(saga.history().get(saga.history().size() - 1).at());
    }

    @Test
    void tick_steps_are_round_and_give_at_most_eight_ticks() {
        assertThat(TimelineSvg.tickStep(40)).isEqualTo(5);
        assertThat(TimelineSvg.tickStep(1_000)).isEqualTo(200);
        assertThat(TimelineSvg.tickStep(Duration.ofHours(3).toMillis())).isEqualTo(Duration.ofMinutes(30).toMillis());
        for (long span : new long[] {1, 7, 999, 12_345, 3_600_000, 86_400_000L * 400}) {
            assertThat(span / TimelineSvg.tickStep(span)).as("ticks over %d ms", span).isLessThanOrEqualTo(8);
        }
    }

    private static Timeline timeline(String role, Instant now) {
        return Timeline.of(shop.orchestrator().find(shop.id(role)).orElseThrow(), now);
    }

    private static Lane lane(Timeline timeline, String step) {
        return timeline.lanes().stream().filter(l -> step.equals(l.label())).findFirst().orElseThrow();
    }
}
