package dev.sagaflow.examples.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.store.HistoryEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CrashAndResumeTest {
    private static final int SAGAS = 3;

    private static CrashAndResumeExample.Result result;

    @BeforeAll
    static void killTheWorkerMidSagaAndRestart() throws Exception {
        result = CrashAndResumeExample.run(Timeline.silent(), SAGAS);
    }

    @Test
    void every_saga_the_killed_worker_started_is_completed_after_the_restart() {
        assertThat(result.sagas()).hasSize(SAGAS);
        assertThat(result.sagas().values()).extracting(SagaInfo::status).containsOnly(SagaStatus.COMPLETED);
    }

    @Test
    void the_interrupted_step_was_resumed_from_the_store_as_a_second_attempt() {
        for (SagaInfo saga : result.sagas().values()) {
            assertThat(saga.history()).filteredOn(entry -> entry.type() == SagaEventType.STEP_RESUMED)
                    .extracting(HistoryEntry::step, HistoryEntry::attempt)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(CheckoutSaga.CHARGE_PAYMENT, 2));
        }
    }

    @Test
    void each_order_was_charged_once_although_its_payment_step_ran_twice() {
        assertThat(result.effects()).hasSize(SAGAS);
        assertThat(result.effects().values()).allSatisfy(effects -> assertThat(effects)
                .containsExactly("stock reserved", "payment charged", "parcel shipped"));
    }
}
