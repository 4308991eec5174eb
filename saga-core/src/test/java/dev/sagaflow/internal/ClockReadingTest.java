package dev.sagaflow.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/** The clock readings and lease expiries that the runtime reuses within one millisecond. */
class ClockReadingTest {
    @Test
    void the_system_timer_reads_whole_milliseconds_and_never_goes_back_within_a_burst() {
        try (SystemTimer timer = new SystemTimer()) {
            Instant previous = timer.now();
            for (int i = 0; i < 10_000; i++) {
                Instant reading = timer.now();
                assertThat(reading).isEqualTo(reading.truncatedTo(ChronoUnit.MILLIS));
                assertThat(reading).isAfterOrEqualTo(previous);
                previous = reading;
            }
        }
    }

    @Test
    void each_write_leases_from_its_own_clock_reading_when_the_clock_moves_between_writes() {
        SagaTestKit kit = SagaTestKit.create();
        SagaDefinition<Trail> saga = TestSagas.hangingOnce("lease-clock", "s2", false, new Ledger(), new ArrayList<>());
        Duration lease = Duration.ofSeconds(30);
        SagaOrchestrator orchestrator = kit.orchestrator().leaseDuration(lease).register(saga).build();

        Instant firstNow = kit.timer().now().truncatedTo(ChronoUnit.MILLIS);
        String first = orchestrator.start(saga, Trail.of("a")).sagaId();
        kit.timer().advance(Duration.ofMillis(1));
        Instant secondNow = kit.timer().now().truncatedTo(ChronoUnit.MILLIS);
        String second = orchestrator.start(saga, Trail.of("b")).sagaId();

        SagaInstance one = kit.store().find(first).orElseThrow();
        SagaInstance two = kit.store().find(second).orElseThrow();
        assertThat(one.leaseUntil()).isEqualTo(firstNow.plus(lease));
        assertThat(two.leaseUntil()).isEqualTo(secondNow.plus(lease));
        assertThat(two.updatedAt()).isEqualTo(secondNow);
        // Both sagas hang in s2 for good: close() would wait its whole shutdown timeout for them.
        SagaTestKit.crash(orchestrator);
    }
}
