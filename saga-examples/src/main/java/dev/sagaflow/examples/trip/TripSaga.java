package dev.sagaflow.examples.trip;

import dev.sagaflow.BranchMerger;
import dev.sagaflow.ProbeOutcome;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import java.time.Duration;

/**
 * The trip saga. Its flight, hotel and car are booked in parallel (the group {@value #BOOK}): the flight with a
 * one-second timeout and a probe that asks the airline, after a timeout, whether the booking was made; the hotel
 * as a child saga of its own ({@value #HOTEL_STAY}: a room, then the deposit that guarantees it); the car by the
 * rental, which may be sold out. Then the pivot {@value #CONFIRM_TRIP}, and {@value #SEND_ITINERARY}, retried with
 * backoff until the mail server takes it. When one booking fails, the others that took effect (or may have) are
 * cancelled, the hotel stay by compensating its child saga.
 */
public final class TripSaga {
    /** The saga's name. */
    public static final String NAME = "trip-saga";
    /** The parallel group of the three bookings. */
    public static final String BOOK = "book";
    /** A branch: compensated by cancelling the flight; asked about by a probe after a timeout. */
    public static final String BOOK_FLIGHT = "book-flight";
    /** A branch: the child saga {@value #HOTEL_STAY}; compensated by compensating it. */
    public static final String BOOK_HOTEL = "book-hotel";
    /** A branch: compensated by returning the car. */
    public static final String RENT_CAR = "rent-car";
    /** The pivot: once confirmed, the trip goes ahead. */
    public static final String CONFIRM_TRIP = "confirm-trip";
    /** After the pivot: retried until it succeeds. */
    public static final String SEND_ITINERARY = "send-itinerary";
    /** The child saga of {@value #BOOK_HOTEL}. */
    public static final String HOTEL_STAY = "hotel-stay";
    /** The hotel stay's first step, compensated by releasing the room. */
    public static final String RESERVE_ROOM = "reserve-room";
    /** The hotel stay's second step, compensated by refunding the deposit. */
    public static final String TAKE_DEPOSIT = "take-deposit";

    /** How long the airline may take to answer before its probe is asked. */
    public static final Duration FLIGHT_TIMEOUT = Duration.ofSeconds(1);

    private static final RetryPolicy UNTIL_SENT =
            RetryPolicy.exponential(Duration.ofMillis(50), 20).withMaxDelay(Duration.ofSeconds(5));

    /** Each branch's result brings its own booking into the trip, whatever order they finish in. */
    private static final BranchMerger<Trip> BOOKINGS = (trip, branch, result) -> switch (branch) {
        case BOOK_FLIGHT -> trip.withFlight(result.flight());
        case RENT_CAR -> trip.withCar(result.car());
        default -> throw new IllegalArgumentException("no booking from branch " + branch);
    };

    private TripSaga() {
    }

    /** The hotel stay, the child saga that books the hotel: register it with the trip saga. */
    public static SagaDefinition<HotelStay> hotelStay(BookingService rooms, BookingService deposits) {
        return Saga.define(HOTEL_STAY, HotelStay.class)
                .step(RESERVE_ROOM)
                    .action((stay, context) -> stay.withRoom(rooms.book(context.idempotencyKey(), stay.asTrip())))
                    .compensation((stay, context) -> cancel(rooms, context.correlationId(), stay))
                .step(TAKE_DEPOSIT)
                    .action((stay, context) -> stay.withDeposit(deposits.book(context.idempotencyKey(), stay.asTrip())))
                    .compensation((stay, context) -> cancel(deposits, context.correlationId(), stay))
                .build();
    }

    /** The trip saga over these participants, with {@code hotelStay} as its hotel's child saga. */
    public static SagaDefinition<Trip> definition(BookingService flights, SagaDefinition<HotelStay> hotelStay,
            BookingService cars, TripJournal journal, MailServer mail) {
        // A compensation cancels by the action's request key, which its context carries as correlationId():
        // that works even if the action took effect but its result never reached the saga data.
        return Saga.define(NAME, Trip.class)
                .parallel(BOOK, BOOKINGS, branches -> branches
                    .step(BOOK_FLIGHT)
                        .action((trip, context) -> trip.withFlight(flights.bookBlocking(context.idempotencyKey(), trip)))
                        .compensation((trip, context) -> cancel(flights, context.correlationId(), trip))
                        .timeout(FLIGHT_TIMEOUT)
                        .probe((trip, context) -> flights.isBooked(context.idempotencyKey())
                                ? ProbeOutcome.APPLIED : ProbeOutcome.NOT_APPLIED)
                    .step(BOOK_HOTEL)
                        .child(hotelStay, (trip, context) -> HotelStay.of(trip),
                                (trip, stay) -> trip.withHotel(stay.room()))
                    .step(RENT_CAR)
                        .action((trip, context) -> trip.withCar(cars.book(context.idempotencyKey(), trip)))
                        .compensation((trip, context) -> cancel(cars, context.correlationId(), trip)))
                .pivot(CONFIRM_TRIP)
                    .action((trip, context) -> confirm(journal, trip))
                .step(SEND_ITINERARY)
                    .action((trip, context) -> trip.withItinerary(mail.sendItinerary(context.idempotencyKey(), trip)))
                    .retry(UNTIL_SENT)
                .build();
    }

    private static <T> T cancel(BookingService service, String bookingKey, T data) {
        service.cancel(bookingKey);
        return data;
    }

    private static Trip confirm(TripJournal journal, Trip trip) {
        journal.record("confirm trip");
        return trip;
    }
}
