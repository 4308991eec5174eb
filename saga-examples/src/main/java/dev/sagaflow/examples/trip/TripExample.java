package dev.sagaflow.examples.trip;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.jdbc.JdbcSagaStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The trip saga on an in-memory H2 database, with an airline, a hotel, a car rental that has no cars
 * left in {@value #NO_CARS_IN}, and the mail server it is given. Not thread-safe to start and close;
 * {@link #book} may be called from many threads.
 */
public final class TripExample implements AutoCloseable {
    /** The destination where the car rental is sold out. */
    public static final String NO_CARS_IN = "Reykjavik";

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Database database;
    private final TripJournal journal = new TripJournal();
    private final BookingService flights;
    private final BookingService hotels;
    private final BookingService cars;
    private final SagaDefinition<Trip> saga;
    private final SagaOrchestrator orchestrator;

    private TripExample(Timeline timeline, MailServer mail) {
        this.database = Database.inMemory("trip-service");
        this.flights = new BookingService("flight", Set.of(), journal, timeline);
        this.hotels = new BookingService("hotel", Set.of(), journal, timeline);
        this.cars = new BookingService("car", Set.of(NO_CARS_IN), journal, timeline);
        this.saga = TripSaga.definition(flights, hotels, cars, journal, mail);
        JdbcSagaStore store = JdbcSagaStore.builder(database.dataSource()).createSchemaIfMissing(true).build();
        this.orchestrator = SagaOrchestrator.builder(store).register(saga).nodeId("trip-service").listener(timeline)
                .build();
    }

    /** Starts the example with {@code mail} as its mail server. */
    public static TripExample start(Timeline timeline, MailServer mail) {
        return new TripExample(timeline, mail);
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

    /** What the participants did, in order. */
    public TripJournal journal() {
        return journal;
    }

    /** How many bookings the airline, the hotel and the car rental hold, together. */
    public int activeBookings() {
        return flights.activeBookings() + hotels.activeBookings() + cars.activeBookings();
    }

    /** Stops the orchestrator and drops the database. */
    @Override
    public void close() {
        orchestrator.close();
        database.close();
    }
}
