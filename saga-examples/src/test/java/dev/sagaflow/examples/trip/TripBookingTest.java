package dev.sagaflow.examples.trip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.examples.trip.MailServer.Fault;
import dev.sagaflow.store.HistoryEntry;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class TripBookingTest {

    /** Each booking the participants made was cancelled: none is left, and every "book x" has its "cancel x". */
    private static void everyBookingCancelled(TripExample example) {
        List<String> entries = example.journal().entries();
        for (String what : List.of("flight", "room", "deposit", "car")) {
            long booked = entries.stream().filter(("book " + what)::equals).count();
            long cancelled = entries.stream().filter(("cancel " + what)::equals).count();
            assertThat(cancelled).as("cancellations of the %s in %s", what, entries).isEqualTo(booked);
        }
        assertThat(example.activeBookings()).isZero();
    }

    // The car rental says no after the flight and the hotel stay have answered (TripExample), so both are cancelled;
    // repeated because the branches still run on several threads.
    @RepeatedTest(5)
    void when_the_car_rental_refuses_what_was_booked_beside_it_is_cancelled() throws Exception {
        try (TripExample example = TripExample.start(Timeline.silent(), MailServer.reliable(Timeline.silent()))) {
            SagaOutcome<Trip> outcome = example.book("Ada", TripExample.NO_CARS_IN);

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(outcome.error()).contains("no car available in Reykjavik");
            assertThat(example.journal().entries()).contains("book car refused").doesNotContain("confirm trip");
            everyBookingCancelled(example);
            for (SagaInfo stay : example.children(outcome.sagaId())) {
                assertThat(stay.status()).isEqualTo(SagaStatus.COMPENSATED);
                assertThat(stay.parentStep()).isEqualTo(TripSaga.BOOK_HOTEL);
            }
        }
    }

    @Test
    void a_trip_books_its_flight_hotel_stay_and_car_in_parallel_and_the_hotel_stay_is_a_child_saga() throws Exception {
        try (TripExample example = TripExample.start(Timeline.silent(), MailServer.reliable(Timeline.silent()))) {
            SagaOutcome<Trip> outcome = example.book("Ada", "Lisbon");

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            Trip trip = outcome.data();
            assertThat(List.of(trip.flight(), trip.hotel(), trip.car())).allMatch(reference -> reference != null);
            List<SagaInfo> stays = example.children(outcome.sagaId());
            assertThat(stays).singleElement().satisfies(stay -> {
                assertThat(stay.sagaName()).isEqualTo(TripSaga.HOTEL_STAY);
                assertThat(stay.status()).isEqualTo(SagaStatus.COMPLETED);
                assertThat(stay.data(HotelStay.class).room()).isEqualTo(trip.hotel());
            });
            assertThat(example.journal().entries()).containsSubsequence("book room", "book deposit", "confirm trip");
        }
    }

    @Test
    void an_airline_that_answers_after_the_timeout_is_asked_by_the_probe_and_the_flight_is_booked_once()
            throws Exception {
        try (TripExample example = TripExample.withLateAirline(Timeline.silent(), MailServer.reliable(Timeline.silent()))) {
            SagaOutcome<Trip> outcome = example.book("Grace", "Lisbon");

            // The probe says whether the booking was made, not which: the reference stays with the airline under
            // the step's idempotency key (the trip's data has none), and the flight is booked exactly once.
            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(example.journal().entries()).filteredOn("book flight"::equals).hasSize(1);
            assertThat(example.sagaInfo(outcome.sagaId()).history())
                    .filteredOn(entry -> TripSaga.BOOK_FLIGHT.equals(entry.step()))
                    .extracting(HistoryEntry::type, HistoryEntry::detail)
                    .contains(org.assertj.core.groups.Tuple.tuple(SagaEventType.STEP_PROBED, "APPLIED"));
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
                    .containsExactlyInAnyOrder("book flight", "book room", "book deposit", "book car", "confirm trip");
        }
    }
}
