package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The step and saga transition tables, cell by cell: what the runtime's one door checks every change against. */
class StatusTableTest {
    @Test
    void a_step_moves_only_along_its_lifecycle() {
        assertStepCanBecomeExactly(StepStatus.PENDING, EnumSet.of(StepStatus.RUNNING));
        assertStepCanBecomeExactly(StepStatus.RUNNING, EnumSet.of(StepStatus.RUNNING, StepStatus.AWAITING_REPLY,
                StepStatus.SUCCEEDED, StepStatus.FAILED));
        assertStepCanBecomeExactly(StepStatus.AWAITING_REPLY, EnumSet.of(StepStatus.RUNNING, StepStatus.SUCCEEDED,
                StepStatus.FAILED));
        assertStepCanBecomeExactly(StepStatus.SUCCEEDED, EnumSet.of(StepStatus.COMPENSATING));
        assertStepCanBecomeExactly(StepStatus.FAILED, EnumSet.of(StepStatus.COMPENSATING, StepStatus.RUNNING));
        assertStepCanBecomeExactly(StepStatus.COMPENSATING, EnumSet.of(StepStatus.COMPENSATING,
                StepStatus.COMPENSATED));
        assertStepCanBecomeExactly(StepStatus.COMPENSATED, EnumSet.noneOf(StepStatus.class));
    }

    @Test
    void a_saga_moves_only_along_its_lifecycle() {
        assertSagaCanBecomeExactly(SagaStatus.RUNNING, EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPLETED,
                SagaStatus.COMPENSATING, SagaStatus.COMPENSATED, SagaStatus.FAILED));
        assertSagaCanBecomeExactly(SagaStatus.COMPENSATING, EnumSet.of(SagaStatus.COMPENSATING,
                SagaStatus.COMPENSATED, SagaStatus.FAILED));
        assertSagaCanBecomeExactly(SagaStatus.FAILED, EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING,
                SagaStatus.FAILED));
        assertSagaCanBecomeExactly(SagaStatus.COMPLETED, EnumSet.of(SagaStatus.COMPENSATING, SagaStatus.COMPENSATED));
        assertSagaCanBecomeExactly(SagaStatus.COMPENSATED, EnumSet.noneOf(SagaStatus.class));
    }

    @Test
    void only_running_and_compensating_sagas_are_live_and_only_completed_and_compensated_ones_terminal() {
        assertThat(EnumSet.allOf(SagaStatus.class)).filteredOn(SagaStatus::isLive)
                .containsExactlyInAnyOrder(SagaStatus.RUNNING, SagaStatus.COMPENSATING);
        assertThat(EnumSet.allOf(SagaStatus.class)).filteredOn(SagaStatus::isTerminal)
                .containsExactlyInAnyOrder(SagaStatus.COMPLETED, SagaStatus.COMPENSATED);
    }

    private static void assertStepCanBecomeExactly(StepStatus from, Set<StepStatus> allowed) {
        for (StepStatus to : StepStatus.values()) {
            assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(allowed.contains(to));
        }
    }

    private static void assertSagaCanBecomeExactly(SagaStatus from, Set<SagaStatus> allowed) {
        for (SagaStatus to : SagaStatus.values()) {
            assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(allowed.contains(to));
        }
    }
}
