package dev.sagaflow.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.StepStatus;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.StepState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store's own JSON columns, steps and history entries, without a database. */
class StoreJsonTest {
    private static final Instant T = Instant.parse("2026-11-28T16:20:00.123456Z");
    private static final String AWKWARD = "quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000 é 雪 😀 </script>";

    @Test
    void steps_round_trip_with_every_field_set_missing_or_awkward() throws Exception {
        List<StepState> steps = List.of(
                new StepState("reserve", StepStatus.SUCCEEDED, 3, 0, false, T, T.plusMillis(5), null, null),
                new StepState(AWKWARD, StepStatus.COMPENSATING, 1, 2, true, null, T, T.plusSeconds(9), AWKWARD),
                new StepState("bill", StepStatus.FAILED, 1, 0, true, T, null, null, "boom"),
                StepState.pending("ship"),
                new StepState("before-1970", StepStatus.RUNNING, 1, 0, false, Instant.parse("1969-12-31T23:59:59.999999Z"),
                        null, null, null));

        String text = StepsJson.encode(steps);

        assertThat(new ObjectMapper().readTree(text).isArray()).as("valid JSON").isTrue();
        assertThat(StepsJson.decode(text)).isEqualTo(steps);
        assertThat(text).as("trailing nulls are left out").contains("[\"ship\",\"PENDING\",0,0,false]");
    }

    @Test
    void steps_and_history_are_written_in_the_compact_format() {
        List<StepState> steps = List.of(
                new StepState("reserve", StepStatus.SUCCEEDED, 1, 0, false, T, T.plusMillis(1), null, null),
                new StepState("ship", StepStatus.FAILED, 2, 0, true, T, null, null, "bell \u0007 \"quoted\""),
                StepState.pending("bill"));
        List<HistoryEntry> entries = List.of(new HistoryEntry("id-1", T, SagaEventType.SAGA_COMPLETED, null, 0, null));

        assertThat(StepsJson.encode(steps)).isEqualTo("[[\"reserve\",\"SUCCEEDED\",1,0,false,1795882800123456,"
                + "1795882800124456],[\"ship\",\"FAILED\",2,0,true,1795882800123456,null,null,"
                + "\"bell \\u0007 \\\"quoted\\\"\"],[\"bill\",\"PENDING\",0,0,false]]");
        assertThat(HistoryJson.encode(entries)).isEqualTo("[[1795882800123456,\"SAGA_COMPLETED\",null,0,null]]");
    }

    @Test
    void step_instants_keep_microseconds_and_cut_nanoseconds_towards_the_past() {
        StepState step = new StepState("s", StepStatus.RUNNING, 1, 0, false, Instant.parse("2024-01-01T00:00:00.123456789Z"),
                null, null, null);

        assertThat(StepsJson.decode(StepsJson.encode(List.of(step))).get(0).startedAt())
                .isEqualTo(Instant.parse("2024-01-01T00:00:00.123456Z"));
    }

    @Test
    void unreadable_steps_are_refused_with_what_is_wrong() {
        assertThatThrownBy(() -> StepsJson.decode("{\"s1\":1}")).hasMessageContaining("not a JSON array");
        assertThatThrownBy(() -> StepsJson.decode("[[\"s1\",\"RUNN")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> StepsJson.decode("[[null,\"RUNNING\"]]")).hasMessageContaining("has no name");
        assertThatThrownBy(() -> StepsJson.decode("[{\"name\":\"s1\"}]")).hasMessageContaining("has no name");
        assertThatThrownBy(() -> StepsJson.decode("[[\"s1\",\"HALF_DONE\",1,0,false]]"))
                .hasMessageContaining("step 's1'").hasMessageContaining("HALF_DONE");
        assertThatThrownBy(() -> StepsJson.decode("[[\"s1\",\"RUNNING\",\"one\",0,false]]"))
                .hasMessageContaining("step 's1'").hasMessageContaining("attempts");
        assertThatThrownBy(() -> StepsJson.decode("[[\"s1\",\"RUNNING\",1,0,false,\"2024-01-01T00:00:00Z\"]]"))
                .hasMessageContaining("step 's1'").hasMessageContaining("started time");
        assertThatThrownBy(() -> StepsJson.decode("[[\"s1\",\"RUNNING\",1,0,false,1,2,3,\"e\",\"extra\"]]"))
                .hasMessageContaining("step 's1' has 10 fields");
    }

    @Test
    void history_entries_round_trip_in_order() throws Exception {
        List<HistoryEntry> entries = List.of(
                new HistoryEntry("id-1", T, SagaEventType.STEP_FAILED, AWKWARD, 7, AWKWARD),
                new HistoryEntry("id-1", T.plusNanos(1_000), SagaEventType.SAGA_COMPENSATED, null, 0, null));

        String text = HistoryJson.encode(entries);

        assertThat(new ObjectMapper().readTree(text).isArray()).as("valid JSON").isTrue();
        assertThat(HistoryJson.decode("id-1", text)).isEqualTo(entries);
        assertThat(HistoryJson.encode(List.of())).isEqualTo("[]");
    }

    @Test
    void unreadable_history_is_refused_with_what_is_wrong() {
        assertThatThrownBy(() -> HistoryJson.decode("id-1", "[[1,\"NO_SUCH_EVENT\",null,0,null]]"))
                .hasMessageContaining("NO_SUCH_EVENT");
        assertThatThrownBy(() -> HistoryJson.decode("id-1", "[[1,\"SAGA_STARTED\"]]"))
                .hasMessageContaining("not an array of 5");
        assertThatThrownBy(() -> HistoryJson.decode("id-1", "[[\"x\",\"SAGA_STARTED\",null,0,null]]"))
                .hasMessageContaining("time");
    }
}
