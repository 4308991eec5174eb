package dev.sagaflow.examples.trip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.examples.trip.MailServer.Fault;
import dev.sagaflow.store.HistoryEntry;
import org.junit.jupiter.api.Test;

class TripBookingTest {

    @Test
    void when_the_car_rental_refuses_the_hotel_and_then_the_flight_are_cancelled() throws Exception {
        try (TripExample example = TripExample.start(Timeline.silent(), MailServer.reliable(Timeline.silent()))) {
            SagaOutcome<Trip> outcome = example.book("Ada", TripExample.NO_CARS_IN);

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(outcome.error()).contains("no car available in Reykjavik");
            assertThat(example.journal().entries())
                    .containsExactly("book flight", "book hotel", "book car refused", "cancel hotel", "cancel flight");
            assertThat(example.activeBookings()).isZero();
            assertThat(example.sagaInfo(outcome.sagaId()).history())
                    .filteredOn(entry -> entry.type() == SagaEventType.COMPENSATION_SUCCEEDED)
                    .extracting(HistoryEntry::step).containsExactly(TripSaga.BOOK_HOTEL, TripSaga.BOOK_FLIGHT);
        }
    }

    @Test
    void the_itinerary_is_retried_until_the_mail_server_takes_it_and_is_sent_once() throws Exception {
        MailServer mail = MailServer.failing(Timeline.silent(), Fault.REFUSE_CONNECTION, Fault.LOSE_ACKNOWLEDGEMENT);
        try (TripExample example = TripExample.start(Timeline.silent(), mail)) {
            SagaOutcome<Trip> outcome = example.book("Grace", "Lisbon");

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(outcome.data().itinerary()).isEqualTo("mail-1");
            assertThat(mail.calls()).isEqualTo(3);
            assertThat(mail.itinerariesSent()).isEqualTo(1);
            assertThat(example.sagaInfo(outcome.sagaId()).history())
                    .filteredOn(entry -> TripSaga.SEND_ITINERARY.equals(entry.step()))
                    .extracting(HistoryEntry::type).containsExactly(SagaEventType.STEP_RETRY_SCHEDULED,
                            SagaEventType.STEP_RETRY_SCHEDULED, SagaEventType.STEP_SUCCEEDED);
            assertThat(example.journal().entries())
                    .containsExactly("book flight", "book hotel", "book car", "confirm trip");
        }
    }
}
