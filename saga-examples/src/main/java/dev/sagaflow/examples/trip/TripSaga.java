package dev.sagaflow.examples.trip;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import java.time.Duration;

/**
 * The trip saga: {@value #BOOK_FLIGHT}, {@value #BOOK_HOTEL} and {@value #RENT_CAR}, each compensated
 * by a cancellation; the pivot {@value #CONFIRM_TRIP}; then {@value #SEND_ITINERARY}, retried with
 * backoff until the mail server takes it.
 */
public final class TripSaga {
    /** The saga's name. */
    public static final String NAME = "trip-saga";
    /** Step 1, compensated by cancelling the flight. */
    public static final String BOOK_FLIGHT = "book-flight";
    /** Step 2, compensated by cancelling the hotel. */
    public static final String BOOK_HOTEL = "book-hotel";
    /** Step 3, compensated by returning the car. */
    public static final String RENT_CAR = "rent-car";
    /** Step 4, the pivot: once confirmed, the trip goes ahead. */
    public static final String CONFIRM_TRIP = "confirm-trip";
    /** Step 5, after the pivot: retried until it succeeds. */
    public static final String SEND_ITINERARY = "send-itinerary";

    private static final RetryPolicy UNTIL_SENT =
            RetryPolicy.exponential(Duration.ofMillis(50), 20).withMaxDelay(Duration.ofSeconds(5));

    private TripSaga() {
    }

    /** The definition over these participants. */
    public static SagaDefinition<Trip> definition(BookingService flights, BookingService hotels, BookingService cars,
            TripJournal journal, MailServer mail) {
        // A compensation cancels by the action's request key, which its context carries as correlationId():
        // that works even if the action took effect but its result never reached the saga data.
        return Saga.define(NAME, Trip.class)
                .step(BOOK_FLIGHT)
                    .action((trip, context) -> trip.withFlight(flights.book(context.idempotencyKey(), trip)))
                    .compensation((trip, context) -> cancel(flights, context.correlationId(), trip))
                .step(BOOK_HOTEL)
                    .action((trip, context) -> trip.withHotel(hotels.book(context.idempotencyKey(), trip)))
                    .compensation((trip, context) -> cancel(hotels, context.correlationId(), trip))
                .step(RENT_CAR)
                    .action((trip, context) -> trip.withCar(cars.book(context.idempotencyKey(), trip)))
                    .compensation((trip, context) -> cancel(cars, context.correlationId(), trip))
                .pivot(CONFIRM_TRIP)
                    .action((trip, context) -> confirm(journal, trip))
                .step(SEND_ITINERARY)
                    .action((trip, context) -> trip.withItinerary(mail.sendItinerary(context.idempotencyKey(), trip)))
                    .retry(UNTIL_SENT)
                .build();
    }

    private static Trip cancel(BookingService service, String bookingKey, Trip trip) {
        service.cancel(bookingKey);
        return trip;
    }

    private static Trip confirm(TripJournal journal, Trip trip) {
        journal.record("confirm trip");
        return trip;
    }
}
