package dev.sagaflow.examples.trip;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.jdbc.JdbcSagaStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The trip saga on an in-memory H2 database, with an airline, a hotel (rooms and deposits, booked by the hotel
 * stay child saga), a car rental that has no cars left in {@value #NO_CARS_IN}, and the mail server it is given. Not thread-safe to start and close;
 * {@link #book} may be called from many threads.
 */
public final class TripExample implements AutoCloseable {
    /** The destination where the car rental is sold out. */
    public static final String NO_CARS_IN = "Reykjavik";

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Database database;
    private final TripJournal journal = new TripJournal();
    private final BookingService flights;
    private final BookingService rooms;
    private final BookingService deposits;
    private final BookingService cars;
    private final SagaDefinition<Trip> saga;
    private final SagaOrchestrator orchestrator;

    private TripExample(Timeline timeline, MailServer mail, boolean airlineLate) {
        this.database = Database.inMemory("trip-service");
        this.flights = new BookingService("flight", Set.of(), journal, timeline);
        this.rooms = new BookingService("room", Set.of(), journal, timeline);
        this.deposits = new BookingService("deposit", Set.of(), journal, timeline);
        // The car rental searches a while before it says no, so the flight and the hotel stay have answered by then:
        // the scenario shows their compensation, not the race of a branch given up while it runs.
        this.cars = new BookingService("car", Set.of(NO_CARS_IN), journal, timeline).refusingAfter(Duration.ofMillis(300));
        if (airlineLate) {
            flights.answerLate(1, TripSaga.FLIGHT_TIMEOUT.multipliedBy(2));
        }
        SagaDefinition<HotelStay> hotelStay = TripSaga.hotelStay(rooms, deposits);
        this.saga = TripSaga.definition(flights, hotelStay, cars, journal, mail);
        JdbcSagaStore store = JdbcSagaStore.builder(database.dataSource()).createSchemaIfMissing(true).build();
        this.orchestrator = SagaOrchestrator.builder(store).register(saga, hotelStay).nodeId("trip-service")
                .listener(timeline).build();
    }

    /** Starts the example with {@code mail} as its mail server. */
    public static TripExample start(Timeline timeline, MailServer mail) {
        return new TripExample(timeline, mail, false);
    }

    /**
     * Starts the example with {@code mail} as its mail server and an airline whose first answer comes after the
     * flight step's timeout: the step's probe then asks the airline whether the booking was made.
     */
    public static TripExample withLateAirline(Timeline timeline, MailServer mail) {
        return new TripExample(timeline, mail, true);
    }

    /**
     * Books a trip and waits until its saga has finished.
     *
     * @throws TimeoutException if it has not finished within 30 s
     */
    public SagaOutcome<Trip> book(String traveller, String destination) throws TimeoutException, InterruptedException {
        return orchestrator.start(saga, Trip.to(destination, traveller)).await(PATIENCE);
    }

    /** The saga's steps and history. */
    public SagaInfo sagaInfo(String sagaId) {
        return orchestrator.find(sagaId).orElseThrow();
    }

    /** The hotel stays (child sagas) the trip saga {@code sagaId} started. */
    public List<SagaInfo> children(String sagaId) {
        return orchestrator.children(sagaId);
    }

    /** What the participants did, in order. */
    public TripJournal journal() {
        return journal;
    }

    /** How many bookings the airline, the hotel (rooms and deposits) and the car rental hold, together. */
    public int activeBookings() {
        return flights.activeBookings() + rooms.activeBookings() + deposits.activeBookings() + cars.activeBookings();
    }

    /** Stops the orchestrator and drops the database. */
    @Override
    public void close() {
        orchestrator.close();
        database.close();
    }
}
